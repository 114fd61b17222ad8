package dev.libsqlplatform.controlplane.dbtoken;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;

import dev.libsqlplatform.contract.token.Jws;
import dev.libsqlplatform.controlplane.database.DatabaseEvents;
import dev.libsqlplatform.controlplane.metadata.Ids;
import org.springframework.context.event.EventListener;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Per-database Ed25519 key pairs (encodings: the contract's {@link Jws}). Every method joins the caller's transaction. */
@Service
public class DatabaseKeys {

    private final DatabaseKeyRepository keys;
    private final JdbcAggregateTemplate aggregates;

    DatabaseKeys(DatabaseKeyRepository keys, JdbcAggregateTemplate aggregates) {
        this.keys = keys;
        this.aggregates = aggregates;
    }

    /** Every database gets its key pair in the transaction that creates it (as {@link GroupKeys} for groups). */
    @EventListener
    void onDatabaseCreated(DatabaseEvents.Created event) {
        create(event.databaseId());
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public DatabaseKey create(String databaseId) {
        KeyPair pair = generate();
        return aggregates.insert(new DatabaseKey(Ids.newId(), databaseId, rawPublicKey(pair),
                b64(pair.getPrivate().getEncoded()), Ids.now()));
    }

    /** New key pair; all older keys are dropped (tokens they signed stop working once the worker has the new set). */
    @Transactional(propagation = Propagation.MANDATORY)
    public DatabaseKey rotate(String databaseId) {
        keys.deleteByDatabase(databaseId);
        return create(databaseId);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void deleteAll(String databaseId) {
        keys.deleteByDatabase(databaseId);
    }

    /** Newest first. */
    public List<DatabaseKey> list(String databaseId) {
        return keys.findByDatabase(databaseId);
    }

    static KeyPair generate() {
        return Jws.generateKeyPair();
    }

    /** base64url (no padding) of the raw 32-byte public key, as workers take it. */
    static String rawPublicKey(KeyPair pair) {
        return Jws.rawPublicKey(pair.getPublic());
    }

    static PrivateKey privateKey(DatabaseKey key) {
        return privateKey(key.id(), key.privateKey());
    }

    static PrivateKey privateKey(String kid, String pkcs8) {
        try {
            return Jws.privateKey(pkcs8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored key " + kid + " is unreadable", e);
        }
    }

    static String b64(byte[] bytes) {
        return Jws.b64(bytes);
    }
}

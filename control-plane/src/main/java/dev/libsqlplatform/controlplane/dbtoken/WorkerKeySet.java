package dev.libsqlplatform.controlplane.dbtoken;

import java.util.ArrayList;
import java.util.List;

import dev.libsqlplatform.contract.internalapi.PutDatabase.Key;
import dev.libsqlplatform.controlplane.metadata.Ids;
import org.springframework.stereotype.Component;

/**
 * What a worker must know to verify tokens of one database (docs/internals.md "Keys pushed to workers"):
 * the database's keys (scope {@code database}), its group's keys (scope {@code group}) and the jtis of revoked,
 * unexpired tokens of the database and of its group. Keys are the contract's {@link Key}: pushed as they are.
 */
@Component
public class WorkerKeySet {

    public record KeySet(List<Key> keys, List<String> revokedTokenIds) {
    }

    private final DatabaseKeys databaseKeys;
    private final GroupKeys groupKeys;
    private final IssuedTokenRepository issued;

    WorkerKeySet(DatabaseKeys databaseKeys, GroupKeys groupKeys, IssuedTokenRepository issued) {
        this.databaseKeys = databaseKeys;
        this.groupKeys = groupKeys;
        this.issued = issued;
    }

    public KeySet forDatabase(String databaseId, String groupId) {
        List<Key> keys = new ArrayList<>();
        databaseKeys.list(databaseId).forEach(k -> keys.add(new Key(k.id(), k.publicKey(), Key.SCOPE_DATABASE)));
        groupKeys.list(groupId).forEach(k -> keys.add(new Key(k.id(), k.publicKey(), Key.SCOPE_GROUP)));
        return new KeySet(keys, issued.findRevokedFor(databaseId, groupId, Ids.now()));
    }
}

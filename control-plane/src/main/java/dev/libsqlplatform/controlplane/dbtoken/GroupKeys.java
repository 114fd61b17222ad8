package dev.libsqlplatform.controlplane.dbtoken;

import java.security.KeyPair;
import java.util.List;

import dev.libsqlplatform.controlplane.group.GroupCreated;
import dev.libsqlplatform.controlplane.metadata.Ids;
import org.springframework.context.event.EventListener;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Per-group Ed25519 key pairs, created with the group. Every method joins the caller's transaction. */
@Service
public class GroupKeys {

    private final GroupKeyRepository keys;
    private final JdbcAggregateTemplate aggregates;

    GroupKeys(GroupKeyRepository keys, JdbcAggregateTemplate aggregates) {
        this.keys = keys;
        this.aggregates = aggregates;
    }

    @EventListener
    void onGroupCreated(GroupCreated event) {
        create(event.groupId());
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public GroupKey create(String groupId) {
        KeyPair pair = DatabaseKeys.generate();
        return aggregates.insert(new GroupKey(Ids.newId(), groupId, DatabaseKeys.rawPublicKey(pair),
                DatabaseKeys.b64(pair.getPrivate().getEncoded()), Ids.now()));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public GroupKey rotate(String groupId) {
        keys.deleteByGroup(groupId);
        return create(groupId);
    }

    /** Newest first. */
    public List<GroupKey> list(String groupId) {
        return keys.findByGroup(groupId);
    }
}

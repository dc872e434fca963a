package io.graygate.store.redis;

import io.graygate.store.Delta;
import io.graygate.store.RouteState;
import io.graygate.store.RuleStore;
import io.graygate.store.StoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.async.RedisAsyncCommands;

/**
 * Makes one change in Redis from the calling thread (an admin worker, never an event loop): plans it on the state this
 * node holds, writes it with one compare-and-set script, and on a conflict (another node changed the route first)
 * reads the route back and plans again, up to three times. No lock is held: Redis orders the writes. Every outcome
 * is told plainly: made, not made, or not confirmed (then it was made whole or not at all).
 */
final class RedisWriter {

    private static final int ATTEMPTS = 3;

    private final RedisStoreUri uri;
    private final RedisLink link;
    private final RedisLayout layout;
    private final KnownStates known;
    private final RedisSync sync;

    RedisWriter(RedisStoreUri uri, RedisLink link, RedisLayout layout, KnownStates known, RedisSync sync) {
        this.uri = uri;
        this.link = link;
        this.layout = layout;
        this.known = known;
        this.sync = sync;
    }

    /**
     * Waits (WAIT) until as many replicas as {@link RedisLink#replicasToConfirm()} asks have the write: a change the
     * primary alone holds is lost when a replica is promoted without it, so it is refused rather than acknowledged.
     */
    private void confirmedByReplicas(RedisAsyncCommands<String, String> redis, String route, Delta delta) {
        int wanted = link.replicasToConfirm();
        if (wanted == 0) return;
        long waitMillis = uri.timeout().toMillis();
        Long confirmed = RedisLayout.await(redis.waitForReplication(wanted, waitMillis), uri.timeout().plusMillis(waitMillis), "WAIT");
        if (confirmed != null && confirmed >= wanted) return;
        sync.checkSoon();
        throw new StoreUnavailableException("Redis at " + uri + " has the change (route " + route + " revision " + delta.to()
                + ") but " + (confirmed == null ? 0 : confirmed) + " of the " + wanted + " replica(s) minReplicas asks for confirmed it within "
                + waitMillis + " ms, so it is not acknowledged: a failover could lose it (read the route before retrying)", null);
    }

    RouteState apply(String route, RuleStore.ChangePlan plan) {
        if (sync.closed()) throw new StoreUnavailableException("the rule store is closed", null);
        RouteState current = known.get(route);
        if (current == null) throw new IllegalArgumentException("no route named \"" + route + "\" in the store");
        if (!sync.connected() || !link.isOpen()) {
            sync.checkSoon();
            throw new StoreUnavailableException("Redis at " + uri + " is unreachable ("
                    + (sync.connected() ? "the connection was closed" : sync.downReason()) + "); the change was not made", null);
        }
        Delta delta = null;
        try {
            RedisAsyncCommands<String, String> redis = link.commands();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                delta = plan.plan(current);
                long written = layout.apply(redis, route, current, delta, RedisChangeNotice.encode(route, delta));
                if (written == delta.to()) {
                    confirmedByReplicas(redis, route, delta);
                    RouteState next = delta.applyTo(current);
                    known.offer(route, next);
                    return next;
                }
                sync.checkSoon();
                if (written == RedisLayout.MISSING) {
                    throw new StoreUnavailableException("route " + route + " is missing from Redis (was its data lost?); this node is "
                            + "writing it back, try again in a second; the change was not made", null);
                }
                RedisLayout.Loaded inRedis = layout.load(redis, route, current.keySets());
                if (inRedis == null || inRedis.state() == null || inRedis.state().revision() < current.revision()) {
                    throw new StoreUnavailableException("Redis holds older rules for route " + route + " than this node has served; "
                            + "this node is writing its own back, try again in a second; the change was not made", null);
                }
                known.offer(route, inRedis.state());
                current = inRedis.state(); // someone else changed it first: plan again on top
            }
            throw new StoreUnavailableException("route " + route + " kept changing while this change was being written; "
                    + "try again; the change was not made", null);
        } catch (RedisCommandTimeoutException e) {
            sync.checkSoon();
            // The timeout in force is the one the command that timed out was given (RedisLayout gives each its own).
            String what = e instanceof RedisTimeoutException named ? named.getMessage()
                    : "no answer from Redis within " + layout.writeTimeout(delta == null ? 0 : delta.entryCount()).toMillis() + " ms";
            throw new StoreUnavailableException("Redis at " + uri + ": " + what + "; the change was not "
                    + "confirmed (it is made whole or not at all: read the route before retrying)", e);
        } catch (RedisCommandExecutionException e) {
            // Redis answered with an error; the scripts fail before their first write, so nothing was written.
            if (String.valueOf(e.getMessage()).startsWith("READONLY")) sync.reconnectSoon("the server became a read-only replica");
            else sync.checkSoon();
            throw new StoreUnavailableException("Redis at " + uri + " refused the change (" + RedisSync.describe(e) + "); the change was not made", e);
        } catch (RedisException e) {
            sync.checkSoon();
            throw new StoreUnavailableException("lost Redis at " + uri + " while writing (" + RedisSync.describe(e) + "); the change was not "
                    + "confirmed (it is made whole or not at all: read the route before retrying)", e);
        }
    }
}

package io.graygate.store.redis;

import io.graygate.store.NodeBoard;
import io.graygate.store.RouteState;
import io.graygate.store.RuleStore;
import io.graygate.store.StoreStatus;

import java.util.List;
import java.util.Map;

/**
 * The shared rule store: every route's state lives in Redis ({@link RedisLayout} has the layout), so that many
 * gateway nodes act as one. Requests never wait for Redis: the node serves its compiled snapshot. The work is split
 * by role: {@link RedisLink} holds the connections, {@link RedisWriter} makes changes, {@link RedisSync} keeps this
 * node in step (and knows whether Redis is reachable), {@link SeedKeyWatcher} follows keys changed with redis-cli,
 * {@link KnownStates} is this node's view, and {@link LastKnownGood} keeps a copy on disk so a node can even start
 * while Redis is away.
 */
public final class RedisRuleStore implements RuleStore {

    private final RedisStoreUri uri;
    private final LastKnownGood lastKnownGood;
    private final RedisLink link;
    private final KnownStates known;
    private final SeedKeyWatcher keys;
    private final RedisSync sync;
    private final RedisWriter writer;
    private final RedisNodeBoard board;
    private boolean closed;

    /**
     * @param routes     the configured routes, in order
     * @param keyedSets  per route, the IP sets it reads from Redis keys (set name to key): read as they are and
     *                   watched for changes made by anyone, {@code redis-cli} included
     */
    public RedisRuleStore(RedisStoreUri uri, List<String> routes, Map<String, Map<String, String>> keyedSets) {
        this.uri = uri;
        RedisLayout layout = new RedisLayout(uri.prefix(), uri.timeout());
        this.lastKnownGood = new LastKnownGood(uri.snapshot());
        this.link = new RedisLink(uri);
        this.known = new KnownStates(routes, lastKnownGood);
        Rejections rejections = new Rejections();
        this.keys = new SeedKeyWatcher(keyedSets, layout, known, rejections);
        this.sync = new RedisSync(uri, link, layout, known, keys, rejections, lastKnownGood);
        this.writer = new RedisWriter(uri, link, layout, known, sync);
        this.board = new RedisNodeBoard(link, uri.prefix(), uri.timeout());
    }

    @Override
    public Map<String, RouteState> open(Map<String, RouteState> seed, ChangeListener listener) {
        known.listener(listener);
        try {
            return Map.copyOf(sync.open(seed));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public RouteState apply(String route, ChangePlan plan) {
        return writer.apply(route, plan);
    }

    @Override
    public RouteState seed(String route, RouteState seed) {
        return sync.seed(route, seed);
    }

    @Override
    public StoreStatus status() {
        String detail;
        if (sync.closed()) {
            detail = "closed";
        } else if (sync.connected()) {
            detail = keys.any() ? "ok;" + keys.summary() : "ok";
        } else {
            detail = "unreachable since " + sync.downSince() + " (" + sync.downReason() + "); serving the last rules, retrying every "
                    + RedisSync.RETRY_MILLIS + " ms";
        }
        return new StoreStatus("redis", sync.connected(), uri.toString(), sync.lastSync(), detail, sync.rulesFrom(),
                StoreStatus.ageOf(sync.lastSync()));
    }

    @Override
    public NodeBoard nodeBoard() {
        return board;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        sync.close();
        link.close();
        lastKnownGood.close();
    }
}

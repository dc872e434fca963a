package io.graygate.store.redis;

import io.graygate.store.NodeBoard;
import io.graygate.store.StoreUnavailableException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis store's {@link NodeBoard}, on the store's command connection:
 * <pre>
 * {prefix}nodes                          ZSET  node ids, scored by their last heartbeat (epoch ms)
 * {prefix}node:{id}                      STRING the node's heartbeat (JSON), expiring after the heartbeat TTL
 * {prefix}stats:{id}:{route}:{second}    STRING the node's sample of one route in one second (JSON), kept five minutes
 * </pre>
 * A node is live while its heartbeat key exists; ids whose key has lapsed are dropped from the set as they are met.
 */
final class RedisNodeBoard implements NodeBoard {

    private static final Logger log = LoggerFactory.getLogger(RedisNodeBoard.class);

    private final RedisLink link;
    private final String prefix;
    private final Duration timeout;
    private final AtomicBoolean failing = new AtomicBoolean();

    RedisNodeBoard(RedisLink link, String prefix, Duration timeout) {
        this.link = link;
        this.prefix = prefix;
        this.timeout = timeout;
    }

    private String nodesKey() {
        return prefix + "nodes";
    }

    private String nodeKey(String node) {
        return prefix + "node:" + node;
    }

    private String sampleKey(String node, String route, long second) {
        return prefix + "stats:" + node + ":" + route + ":" + second;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void post(String node, String heartbeat, Duration ttl, long second, Map<String, String> samples, Duration keep) {
        RedisAsyncCommands<String, String> redis;
        try {
            redis = link.commands();
        } catch (RedisException e) {
            failed(e);
            return;
        }
        List<RedisFuture<?>> sent = new ArrayList<>();
        samples.forEach((route, json) -> sent.add(redis.set(sampleKey(node, route, second), json, SetArgs.Builder.ex(keep.toSeconds()))));
        sent.add(redis.set(nodeKey(node), heartbeat, SetArgs.Builder.px(ttl.toMillis())));
        sent.add(redis.zadd(nodesKey(), System.currentTimeMillis(), node));
        RedisFuture<?> last = sent.get(sent.size() - 1);
        last.whenComplete((ok, e) -> {
            if (e != null) {
                failed(e);
            } else if (failing.compareAndSet(true, false)) {
                log.info("node heartbeat: posting to Redis again");
            }
        });
    }

    private void failed(Throwable e) {
        if (failing.compareAndSet(false, true)) {
            log.warn("node heartbeat: cannot post to Redis ({}); other nodes will stop counting this one until it can", e.getMessage());
        }
    }

    @Override
    public Map<String, String> heartbeats() {
        try {
            RedisAsyncCommands<String, String> redis = link.commands();
            List<String> ids = RedisLayout.await(redis.zrange(nodesKey(), 0, -1), timeout);
            Map<String, String> out = new LinkedHashMap<>();
            if (ids.isEmpty()) return out;
            List<KeyValue<String, String>> values = RedisLayout.await(redis.mget(ids.stream().map(this::nodeKey).toArray(String[]::new)), timeout);
            for (int i = 0; i < ids.size(); i++) {
                KeyValue<String, String> v = values.get(i);
                if (v.hasValue()) out.put(ids.get(i), v.getValue());
            }
            if (out.size() < ids.size()) { // ids a minute past their last heartbeat are gone for good; not waited for
                redis.zremrangebyscore(nodesKey(), Range.create(0, System.currentTimeMillis() - Duration.ofMinutes(1).toMillis()));
            }
            return out;
        } catch (RedisException e) {
            throw new StoreUnavailableException("cannot read the nodes' heartbeats from Redis: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> samples(String node, String route, long fromSecond, long toSecond) {
        if (toSecond < fromSecond) return List.of();
        String[] keys = new String[(int) (toSecond - fromSecond + 1)];
        for (int i = 0; i < keys.length; i++) keys[i] = sampleKey(node, route, fromSecond + i);
        try {
            List<KeyValue<String, String>> values = RedisLayout.await(link.commands().mget(keys), timeout);
            List<String> out = new ArrayList<>();
            for (KeyValue<String, String> v : values) if (v.hasValue()) out.add(v.getValue());
            return out;
        } catch (RedisException e) {
            throw new StoreUnavailableException("cannot read node " + node + "'s figures from Redis: " + e.getMessage(), e);
        }
    }

    @Override
    public void leave(String node) {
        try {
            RedisAsyncCommands<String, String> redis = link.commands();
            RedisLayout.await(redis.del(nodeKey(node)), timeout);
            RedisLayout.await(redis.zrem(nodesKey(), node), timeout);
        } catch (RedisException e) {
            log.debug("node heartbeat: could not take {} down ({}); it lapses by itself", node, e.getMessage());
        }
    }
}

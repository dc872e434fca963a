package io.graygate.routing;
import io.graygate.routing.ip.ClientAddress;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.config.RouteConfig;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.SplitKey;
import io.graygate.policy.Weights;
import io.graygate.routing.ip.IpAddress;
import io.graygate.testing.HeldRequest;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sticky split's bucket function, pinned forever by a table of (cohort, key) to bucket, and the four properties
 * the split promises: a pure function of (cohort, key, weights); raising a weight only moves users from the baseline
 * and lowering it only moves them back; each share within 0.5 points of its weight over 100,000 keys; routes that
 * share a cohort put a user on the same side.
 */
class StickyBucketTest {

    @ParameterizedTest(name = "{0} : {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "shop         | user-1      | 7657",
            "shop         | user-2      | 6138",
            "order-center | 10.1.2.3    | 88",
            "order-center | 2001:db8::1 | 4949",
            "release-42   | alice       | 4991",
            "release-42   | Bob         | 3854",
            "cohort       | ключ        | 5099",
            "cohort       | 😀          | 8172",
    })
    void theBucketOfACohortAndAKeyIsPinned(String cohort, String key, int bucket) {
        assertThat(StickyBucket.of(cohort, key)).isEqualTo(bucket);
    }

    @Test
    void theHashIsMurmur3X86With32BitsAsPublished() {
        // Reference values of MurmurHash3_x86_32 with seed 0 (the same as Python's mmh3.hash).
        assertThat(MurmurHash3.hash32x86("hello".getBytes(StandardCharsets.UTF_8), 0, 5, 0)).isEqualTo(613153351);
        assertThat(MurmurHash3.hash32x86("foo".getBytes(StandardCharsets.UTF_8), 0, 3, 0)).isEqualTo(-156908512);
        byte[] b = "shop:user-1".getBytes(StandardCharsets.UTF_8);
        assertThat(StickyBucket.of("shop", "user-1")).isEqualTo((int) (Integer.toUnsignedLong(MurmurHash3.hash32x86(b, 0, b.length, 0)) % 10_000));
    }

    @Test
    void keysAreHashedAsTheirUtf8BytesWhateverTheyHold() {
        Random random = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder key = new StringBuilder();
            int n = random.nextInt(40);
            for (int j = 0; j < n; j++) key.append((char) (random.nextBoolean() ? random.nextInt(128) : random.nextInt(0x10000)));
            String k = key.toString();
            byte[] bytes = ("c:" + k).getBytes(StandardCharsets.UTF_8);
            int expected = (int) (Integer.toUnsignedLong(MurmurHash3.hash32x86(bytes, 0, bytes.length, 0)) % 10_000);
            assertThat(StickyBucket.of("c", k)).as("key %s", k).isEqualTo(expected);
            assertThat(StickyBucket.of("c", "xx" + k + "yy", 2, 2 + k.length())).isEqualTo(expected);
        }
    }

    /** The documented definition, written the plain way: the bytes of the whole text, hashed at once. */
    private static int reference(String cohort, String key) {
        byte[] bytes = (cohort + ":" + key).getBytes(StandardCharsets.UTF_8);
        return (int) (Integer.toUnsignedLong(MurmurHash3.hash32x86(bytes, 0, bytes.length, 0)) % 10_000);
    }

    /** ASCII, 2- and 3-byte characters, surrogate pairs, and lone or reversed surrogates. */
    private static String randomText(Random random, int maxLength) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(maxLength + 1);
        while (s.length() < n) {
            switch (random.nextInt(6)) {
                case 0, 1 -> s.append((char) (0x20 + random.nextInt(0x5F)));
                case 2 -> s.append((char) (0x80 + random.nextInt(0x780)));
                case 3 -> s.append((char) (0x800 + random.nextInt(0xD800 - 0x800)));
                case 4 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                default -> s.append((char) (0xD800 + random.nextInt(0x800))); // unpaired, or pairs by chance
            }
        }
        return s.toString();
    }

    @Test
    void theBucketHashedCharByCharAgreesWithMurmur3OverTheWholeUtf8Text() {
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            // cohorts of every length modulo 4, some not ASCII, so the key starts at every offset in a block
            String cohort = i % 3 == 0 ? randomText(random, 9) : "cohort-x".substring(0, i % 9);
            String key = randomText(random, 48);
            int expected = reference(cohort, key);
            StickyBucket bucket = StickyBucket.in(cohort);
            assertThat(bucket.bucket(key, 0, key.length())).as("cohort %s key %s", cohort, key).isEqualTo(expected);
            String around = randomText(random, 3) + key + randomText(random, 3);
            int at = around.indexOf(key);
            assertThat(bucket.bucket(around, at, at + key.length())).as("cohort %s key %s in %s", cohort, key, around)
                    .isEqualTo(expected);
        }
    }

    @Test
    void asciiKeysTakenFourCharactersAStepHashAsTheirUtf8BytesWithANonAsciiCharacterAnywhere() {
        Random random = new Random(13);
        String[] odd = {"é", "€", "😀", "\uD800", "\u007F\u0080"};
        for (int cohortLength = 0; cohortLength < 8; cohortLength++) {
            String cohort = "abcdefgh".substring(0, cohortLength);
            StickyBucket bucket = StickyBucket.in(cohort);
            for (int length = 0; length <= 21; length++) {
                StringBuilder ascii = new StringBuilder();
                for (int j = 0; j < length; j++) ascii.append((char) random.nextInt(0x80));
                String plain = ascii.toString();
                assertThat(bucket.bucket(plain, 0, length)).as("cohort %s key %s", cohort, plain).isEqualTo(reference(cohort, plain));
                for (int at = 0; at <= length; at++) {
                    String key = plain.substring(0, at) + odd[random.nextInt(odd.length)] + plain.substring(at);
                    assertThat(bucket.bucket(key, 0, key.length())).as("cohort %s key %s", cohort, key).isEqualTo(reference(cohort, key));
                }
            }
        }
    }

    @Test
    void aRangeThatCutsASurrogatePairHashesItsHalfAsUnpaired() {
        String pair = "😀";
        assertThat(StickyBucket.of("c", "a" + pair, 0, 2)).isEqualTo(reference("c", "a" + pair.charAt(0)));
        assertThat(StickyBucket.of("c", pair + "b", 1, 3)).isEqualTo(reference("c", pair.charAt(1) + "b"));
    }

    @Test
    void anIpv4ClientHashesAsItsDottedText() {
        Random random = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            String cohort = "shop-release".substring(0, i % 13);
            int v = i < 256 ? i * 0x01010101 : random.nextInt();
            String ip = (v >>> 24) + "." + (v >>> 16 & 0xFF) + "." + (v >>> 8 & 0xFF) + "." + (v & 0xFF);
            assertThat(StickyBucket.of(cohort, new ClientAddress(IpAddress.parse(ip)))).as("%s in %s", ip, cohort)
                    .isEqualTo(reference(cohort, ip));
        }
    }

    @Test
    void aClientAddressIsKeyedByItsCanonicalText() {
        for (String ip : List.of("10.1.2.3", "0.0.0.0", "255.255.255.255", "192.168.2.165", "2001:db8::1", "::1")) {
            assertThat(StickyBucket.of("shop", new ClientAddress(IpAddress.parse(ip)))).isEqualTo(StickyBucket.of("shop", ip));
        }
    }

    // ---- the split's properties, through compiled routes ----

    private static final GatewayConfig CONFIG = ConfigLoader.parse("""
            upstreams: {a: {servers: ["127.0.0.1:1"]}, b: {servers: ["127.0.0.1:2"]}, c: {servers: ["127.0.0.1:3"]}}
            routes:
              - {name: shop, pathPrefix: /shop, versions: {production: a, gray: b, canary: c}}
              - {name: cart, pathPrefix: /cart, versions: {production: a, gray: b, canary: c}}
            """, Map.of());

    private static Route route(String name, String cohort, Map<String, Integer> weights) {
        return route(name, "production", cohort, weights);
    }

    private static Route route(String name, String baseline, String cohort, Map<String, Integer> weights) {
        RouteConfig rc = CONFIG.route(name);
        Policy p = new Policy(baseline, null, List.of(new PolicyRule.Split("ramp", null, new SplitKey.Cookie("uid"),
                new Weights(weights), cohort)));
        rc.scope(java.util.Set.of()).check(p);
        return RouteCompiler.compile(rc, p, Map.of(), 1);
    }

    private static Map<String, Integer> weights(int gray, int canary) {
        Map<String, Integer> w = new LinkedHashMap<>();
        w.put("gray", gray);
        w.put("canary", canary);
        return w;
    }

    private static String version(Route r, String uid) {
        HeldRequest req = HeldRequest.fromClient("10.0.0.1").header("Cookie", "uid=" + uid);
        return r.decide(req).version();
    }

    @Test
    void aUsersVersionIsAPureFunctionOfCohortKeyAndWeights() {
        Route one = route("shop", null, weights(1000, 500));
        Route again = route("shop", null, weights(1000, 500)); // another compile: another node, or a restart
        for (int i = 0; i < 10_000; i++) assertThat(version(again, "u" + i)).isEqualTo(version(one, "u" + i));
    }

    @Test
    void raisingAWeightOnlyMovesUsersFromTheBaselineAndLoweringItOnlyMovesThemBack() {
        // One weight changes a step: the ramp of the seeds, a rollback, and each version's weight rising and falling.
        int[][] steps = {{100, 0}, {100, 250}, {500, 250}, {2500, 250}, {5000, 250}, {5000, 4000}, {2500, 4000}, {0, 4000}, {0, 100}, {0, 0}};
        int[] was = {0, 0};
        Route before = route("shop", null, weights(0, 0));
        for (int[] step : steps) {
            String changed = step[0] != was[0] ? "gray" : "canary";
            int from = changed.equals("gray") ? was[0] : was[1], to = changed.equals("gray") ? step[0] : step[1];
            String movesFrom = to > from ? "production" : changed, movesTo = to > from ? changed : "production";
            Route after = route("shop", null, weights(step[0], step[1]));
            int moved = 0;
            for (int i = 0; i < 20_000; i++) {
                String uid = "user-" + i;
                String then = version(before, uid), now = version(after, uid);
                if (then.equals(now)) continue;
                moved++;
                assertThat(then + " -> " + now).as("%s, as %s went from %d to %d basis points", uid, changed, from, to)
                        .isEqualTo(movesFrom + " -> " + movesTo);
            }
            // about |to - from| / 10,000 of the 20,000 users move
            assertThat(moved).as("users moved as %s went from %d to %d", changed, from, to)
                    .isBetween((int) (Math.abs(to - from) * 2 * 0.8), (int) (Math.abs(to - from) * 2 * 1.2) + 10);
            before = after;
            was = step;
        }
    }

    @Test
    void aPromoteMovesNoUserOfTheVersionsItLeavesAlone() {
        // canary at 100% of its slot, gray at 10%: then canary is promoted to baseline, and production, no longer
        // the baseline, may take the freed slot for the next release (blue-green alternation).
        Route before = route("shop", null, weights(1000, 5000));
        Map<String, Integer> next = new LinkedHashMap<>();
        next.put("gray", 1000);
        next.put("production", 0);
        Route promoted = route("shop", "canary", null, next);
        next.put("production", 2000);
        Route productionBack = route("shop", "canary", null, next);
        int gray = 0, back = 0;
        for (int i = 0; i < 20_000; i++) {
            String uid = "user-" + i;
            String was = version(before, uid);
            if (was.equals("gray")) gray++;
            assertThat(version(promoted, uid)).as(uid).isEqualTo(was.equals("gray") ? "gray" : "canary");
            String now = version(productionBack, uid);
            if (now.equals("production")) back++;
            assertThat(now).as("%s with production at 20%% after the promote", uid).isIn(was.equals("gray") ? List.of("gray") : List.of("canary", "production"));
        }
        assertThat(gray).isBetween(1600, 2400);
        assertThat(back).isBetween(3600, 4400);
    }

    @Test
    void overAHundredThousandKeysEachShareIsWithinHalfAPointOfItsWeight() {
        Route r = route("shop", null, weights(1234, 250));
        Map<String, Integer> counts = new HashMap<>();
        Random random = new Random(42);
        int n = 100_000;
        for (int i = 0; i < n; i++) counts.merge(version(r, Long.toHexString(random.nextLong())), 1, Integer::sum);
        assertThat(counts.get("gray") * 100.0 / n).isCloseTo(12.34, org.assertj.core.data.Offset.offset(0.5));
        assertThat(counts.get("canary") * 100.0 / n).isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.5));
        assertThat(counts.get("production") * 100.0 / n).isCloseTo(85.16, org.assertj.core.data.Offset.offset(0.5));
    }

    @Test
    void routesThatShareACohortPutAUserOnTheSameSideOfEach() {
        Route shop = route("shop", "release-42", weights(3000, 0));
        Route cart = route("cart", "release-42", weights(3000, 0));
        Route cartOwnCohort = route("cart", null, weights(3000, 0));
        int differ = 0;
        for (int i = 0; i < 10_000; i++) {
            assertThat(version(cart, "u" + i)).isEqualTo(version(shop, "u" + i));
            if (!version(cartOwnCohort, "u" + i).equals(version(shop, "u" + i))) differ++;
        }
        assertThat(differ).as("without a shared cohort the routes split independently").isGreaterThan(3000);
    }
}

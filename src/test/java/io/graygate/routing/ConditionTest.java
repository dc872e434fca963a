package io.graygate.routing;

import io.graygate.policy.Condition;
import io.graygate.policy.PolicyCodec;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.StateCodec;
import io.graygate.testing.HeldRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every condition kind and combinator, compiled and tested against requests. A request is written
 * {@code IP METHOD TARGET [Name: value]...}; the condition as the policy's JSON (YAML flow works as well in files).
 */
class ConditionTest {

    private static final Map<String, IpSet> SETS = Map.of(
            "testers", IpSet.parse(List.of("192.168.2.165", "10.1.0.0/16", "2001:db8::/32")),
            "empty", IpSet.EMPTY);

    @ParameterizedTest(name = "{0} on [{1}] -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // clientIp: exact, CIDR, IPv6; a look-alike of a listed address is not in the set
            "{'clientIp': {'inSet': 'testers'}}                              | 192.168.2.165 GET /             | true",
            "{'clientIp': {'inSet': 'testers'}}                              | 192.168.2.1 GET /               | false",
            "{'clientIp': {'inSet': 'testers'}}                              | 10.1.200.3 GET /                | true",
            "{'clientIp': {'inSet': 'testers'}}                              | 2001:db8:5::1 GET /             | true",
            "{'clientIp': {'inSet': 'empty'}}                                | 10.1.2.3 GET /                  | false",
            // header: names in any case; the first field of a name; values as sent
            "{'header': {'name': 'X-Beta', 'equals': 'on'}}                  | 1.1.1.1 GET / [x-beta: on]      | true",
            "{'header': {'name': 'x-beta', 'equals': 'on'}}                  | 1.1.1.1 GET / [X-BETA: on]      | true",
            "{'header': {'name': 'X-Beta', 'equals': 'on'}}                  | 1.1.1.1 GET / [X-Beta: On]      | false",
            "{'header': {'name': 'X-Beta', 'equals': 'on'}}                  | 1.1.1.1 GET / [X-Beta: on ]     | true",
            "{'header': {'name': 'X-Beta', 'equals': 'on'}}                  | 1.1.1.1 GET /                   | false",
            "{'header': {'name': 'X-Beta', 'in': ['on', 'yes']}}             | 1.1.1.1 GET / [X-Beta: yes]     | true",
            "{'header': {'name': 'X-Beta', 'in': ['on', 'yes']}}             | 1.1.1.1 GET / [X-Beta: no]      | false",
            "{'header': {'name': 'User-Agent', 'prefix': 'Mozilla/'}}        | 1.1.1.1 GET / [User-Agent: Mozilla/5.0] | true",
            "{'header': {'name': 'User-Agent', 'prefix': 'Mozilla/'}}        | 1.1.1.1 GET / [User-Agent: curl/8]  | false",
            "{'header': {'name': 'X-Beta', 'present': true}}                 | 1.1.1.1 GET / [X-Beta: ]        | true",
            "{'header': {'name': 'X-Beta', 'present': true}}                 | 1.1.1.1 GET /                   | false",
            "{'header': {'name': 'X-Beta', 'absent': true}}                  | 1.1.1.1 GET /                   | true",
            "{'header': {'name': 'X-Beta', 'absent': true}}                  | 1.1.1.1 GET / [X-Beta: 1]       | false",
            "{'header': {'name': 'X-Tenant', 'matches': 't-[0-9]+'}}         | 1.1.1.1 GET / [X-Tenant: t-42]  | true",
            "{'header': {'name': 'X-Tenant', 'matches': 't-[0-9]+'}}         | 1.1.1.1 GET / [X-Tenant: t-42x] | false",
            "{'header': {'name': 'X-Tenant', 'matches': '(a+)+$'}}           | 1.1.1.1 GET / [X-Tenant: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab] | false",
            // cookie: found in place among others, the first of a name, the value exactly as sent
            "{'cookie': {'name': 'ab', 'equals': 'b'}}                       | 1.1.1.1 GET / [Cookie: ab=b]    | true",
            "{'cookie': {'name': 'ab', 'equals': 'b'}}                       | 1.1.1.1 GET / [Cookie: x=1; ab=b; y=2] | true",
            "{'cookie': {'name': 'ab', 'equals': 'b'}}                       | 1.1.1.1 GET / [Cookie: xab=b]   | false",
            "{'cookie': {'name': 'ab', 'equals': 'b'}}                       | 1.1.1.1 GET / [Cookie: ab=bb]   | false",
            "{'cookie': {'name': 'ab', 'equals': 'b'}}                       | 1.1.1.1 GET / [Cookie: ab=a; ab=b] | false",
            "{'cookie': {'name': 'ab', 'equals': 'b'}}                       | 1.1.1.1 GET / [Cookie: AB=b]    | false",
            "{'cookie': {'name': 'ab', 'equals': '%62'}}                     | 1.1.1.1 GET / [Cookie: ab=%62]  | true",
            "{'cookie': {'name': 'ab', 'present': true}}                     | 1.1.1.1 GET / [Cookie: ab=]     | true",
            "{'cookie': {'name': 'ab', 'absent': true}}                      | 1.1.1.1 GET / [Cookie: x=1]     | true",
            "{'cookie': {'name': 'ab', 'absent': true}}                      | 1.1.1.1 GET /                   | true",
            "{'cookie': {'name': 'uid', 'matches': '[0-9a-f]{8}'}}           | 1.1.1.1 GET / [Cookie: uid=deadbeef] | true",
            // query: the raw query, names and values as sent (no percent-decoding); a name alone has the empty value
            "{'query': {'name': 'flag', 'equals': 'x'}}                      | 1.1.1.1 GET /p?flag=x           | true",
            "{'query': {'name': 'flag', 'equals': 'x'}}                      | 1.1.1.1 GET /p?a=1&flag=x&b=2   | true",
            "{'query': {'name': 'flag', 'equals': 'x'}}                      | 1.1.1.1 GET /p?aflag=x          | false",
            "{'query': {'name': 'flag', 'equals': 'x y'}}                    | 1.1.1.1 GET /p?flag=x%20y       | false",
            "{'query': {'name': 'flag', 'equals': 'x%20y'}}                  | 1.1.1.1 GET /p?flag=x%20y       | true",
            "{'query': {'name': 'flag', 'equals': ''}}                       | 1.1.1.1 GET /p?flag             | true",
            "{'query': {'name': 'flag', 'present': true}}                    | 1.1.1.1 GET /p                  | false",
            "{'query': {'name': 'flag', 'prefix': 'ex'}}                     | 1.1.1.1 GET /p?flag=exp-1       | true",
            // method: case-sensitive, as the protocol says
            "{'method': ['GET', 'HEAD']}                                     | 1.1.1.1 HEAD /                  | true",
            "{'method': ['GET', 'HEAD']}                                     | 1.1.1.1 POST /                  | false",
            "{'method': 'POST'}                                              | 1.1.1.1 POST /                  | true",
            // path: the normalized path the routes match
            "{'path': {'prefix': '/api/v2/'}}                                | 1.1.1.1 GET /api/v2/orders?x=1  | true",
            "{'path': {'prefix': '/api/v2/'}}                                | 1.1.1.1 GET /api/v1/orders      | false",
            "{'path': {'equals': '/health'}}                                 | 1.1.1.1 GET /health             | true",
            "{'path': {'matches': '/orders/[0-9]+'}}                         | 1.1.1.1 GET /orders/42          | true",
            "{'path': {'matches': '/orders/[0-9]+'}}                         | 1.1.1.1 GET /orders/42/items    | false",
            // combinators
            "{'all': [{'cookie': {'name': 'ab', 'equals': 'b'}}, {'method': ['GET']}]}  | 1.1.1.1 GET / [Cookie: ab=b]  | true",
            "{'all': [{'cookie': {'name': 'ab', 'equals': 'b'}}, {'method': ['GET']}]}  | 1.1.1.1 POST / [Cookie: ab=b] | false",
            "{'any': [{'clientIp': {'inSet': 'testers'}}, {'header': {'name': 'X-Beta', 'present': true}}]} | 8.8.8.8 GET / [X-Beta: 1] | true",
            "{'any': [{'clientIp': {'inSet': 'testers'}}, {'header': {'name': 'X-Beta', 'present': true}}]} | 8.8.8.8 GET /             | false",
            "{'not': {'clientIp': {'inSet': 'testers'}}}                     | 8.8.8.8 GET /                   | true",
            "{'not': {'clientIp': {'inSet': 'testers'}}}                     | 10.1.0.1 GET /                  | false",
            "{'not': {'any': [{'method': ['POST']}, {'path': {'prefix': '/admin'}}]}} | 8.8.8.8 GET /admin/x    | false",
    })
    void aConditionHoldsExactlyWhenItShould(String json, String request, boolean expected) {
        Condition c = PolicyCodec.readCondition(StateCodec.tree(json.replace('\'', '"')), "when");
        RequestTest test = RequestTest.of(c, SETS);
        HeldRequest r = request(request);
        assertThat(test.test(r)).as("%s", test.describe()).isEqualTo(expected);
        assertThat(test.observed(r)).isNotBlank();
        assertThat(PolicyCodec.readCondition(PolicyCodec.write(c), "when")).as("written and read back").isEqualTo(c);
    }

    /** "IP METHOD TARGET [Name: value] [Name: value]". */
    static HeldRequest request(String spec) {
        String[] head = spec.split(" \\[", 2)[0].strip().split(" ");
        HeldRequest r = HeldRequest.fromClient(head[0]).method(head[1]).target(head[2]);
        int at = spec.indexOf(" [");
        while (at >= 0) {
            int end = spec.indexOf(']', at);
            String field = spec.substring(at + 2, end);
            int colon = field.indexOf(':');
            r.header(field.substring(0, colon), field.substring(colon + 1).strip());
            at = spec.indexOf(" [", end);
        }
        return r;
    }
}

package io.graygate.policy;

/**
 * What a sticky split hashes to put a user in a bucket: a header, a cookie or a query parameter (the first of that
 * name, as sent), or the client address. When the named value is absent, the client address is used.
 */
public sealed interface SplitKey {

    record Header(String name) implements SplitKey {
    }

    record Cookie(String name) implements SplitKey {
    }

    record Query(String name) implements SplitKey {
    }

    record ClientIp() implements SplitKey {
    }

    SplitKey CLIENT_IP = new ClientIp();
}

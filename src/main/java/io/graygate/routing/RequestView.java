package io.graygate.routing;

import io.graygate.routing.ip.ClientAddress;
/**
 * What a route's rules may read of a request. The proxy's connection handler implements it over the request in hand,
 * so that deciding allocates nothing; the admin API's explain implements it over a described request.
 */
public interface RequestView {

    /** The resolved client address; held by the caller, read in place. */
    ClientAddress client();

    /** The first value of a request header (any case), or null. */
    String header(CharSequence name);

    /** The request method as sent, e.g. {@code GET}. */
    String method();

    /** The normalized path, the one routes are matched on (decoded, dot segments resolved, slashes merged). */
    String path();

    /** The request target as sent, in origin form ({@code /path?query}); query parameters are read from it in place. */
    String target();
}

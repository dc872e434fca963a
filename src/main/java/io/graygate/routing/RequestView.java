package io.graygate.routing;

/** What a rule may look at in a request. The proxy's connection handler implements it, so evaluating allocates nothing. */
public interface RequestView {

    IpAddress clientIp();

    /** The first value of a request header, or null. */
    String header(CharSequence name);
}

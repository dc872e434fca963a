package io.graygate.routing;

/** What a rule may look at in a request. The proxy's connection handler implements it, so evaluating allocates nothing. */
public interface RequestView {

    /** The resolved client address; held by the caller, read in place. */
    ClientAddress client();

    /** The first value of a request header, or null. */
    String header(CharSequence name);
}

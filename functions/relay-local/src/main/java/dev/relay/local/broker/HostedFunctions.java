package dev.relay.local.broker;

/**
 * Which functions this process serves at {@code POST /{name}}. A Trigger subscriber (or dead-letter sink) that
 * refers to a Knative Service of that name is delivered to the local endpoint; the application implements this.
 */
@FunctionalInterface
public interface HostedFunctions {

    boolean hosts(String name);

    static HostedFunctions none() {
        return name -> false;
    }
}

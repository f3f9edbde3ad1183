package dev.relay.ingress;

/** A producer Relay recognises but does not convert yet: 501, the producer should not expect a retry to help. */
public final class UnsupportedProducerException extends RuntimeException {

    private final String producer;
    private final String issue;

    public UnsupportedProducerException(String producer, String issue) {
        super(producer + " webhooks are recognised but not converted yet, see issue " + issue + ".");
        this.producer = producer;
        this.issue = issue;
    }

    public String producer() {
        return producer;
    }

    public String issue() {
        return issue;
    }
}

package dev.relay.scan;

/** A scanner's output could not be read as a report; the scan has no verdict. */
public class ScanReportException extends RuntimeException {

    public ScanReportException(String message) {
        super(message);
    }

    public ScanReportException(String message, Throwable cause) {
        super(message, cause);
    }
}

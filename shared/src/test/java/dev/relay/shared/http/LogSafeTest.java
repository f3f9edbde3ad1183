package dev.relay.shared.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void anUntrustedValueStaysOnOneLineAndIsBounded() {
        assertThat(LogSafe.of("e-1\n2026-01-01 INFO forged\r\u001b[31m")).doesNotContain("\n", "\r", "\u001b")
                .startsWith("e-1?2026-01-01 INFO forged");
        assertThat(LogSafe.of("x".repeat(2000))).hasSizeLessThan(600);
        assertThat(LogSafe.of(null)).isEqualTo("null");
        assertThat(LogSafe.of("plain-id_1.2")).isEqualTo("plain-id_1.2");
    }
}

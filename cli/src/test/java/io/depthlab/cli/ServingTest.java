package io.depthlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class ServingTest {

    /** Built from the JDK's exception, so that no name is looked up: the test sends nothing. */
    @Test
    void bindFailure_unresolvedHost_blamesTheHostNotThePort() {
        IOException e =
                Serving.bindFailure(
                        "--port", "nosuchhost", 18031, new SocketException("Unresolved address"));

        assertThat(e)
                .hasMessage(
                        "--host nosuchhost: cannot listen on nosuchhost:18031: no address found for"
                                + " that name; use 127.0.0.1, 0.0.0.0 (every interface) or a name"
                                + " this machine resolves");
    }

    @Test
    void bindFailure_portInUse_blamesThePort() {
        IOException e =
                Serving.bindFailure(
                        "--metrics-port",
                        "127.0.0.1",
                        9100,
                        new BindException("Address already in use"));

        assertThat(e)
                .hasMessage(
                        "--metrics-port 9100: cannot listen on 127.0.0.1:9100: the port is already"
                                + " in use; choose another port, or 0 for any free one");
    }
}

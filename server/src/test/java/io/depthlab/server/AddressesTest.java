package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void describe_ipv4_hostColonPortWithoutSlash() throws Exception {
        InetSocketAddress address =
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 8001);

        assertThat(Addresses.describe(address)).isEqualTo("127.0.0.1:8001");
    }

    @Test
    void describe_ipv6_bracketsTheHost() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("::1"), 8002);

        assertThat(Addresses.describe(List.of(address))).isEqualTo("[0:0:0:0:0:0:0:1]:8002");
    }
}

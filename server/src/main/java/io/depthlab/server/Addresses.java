package io.depthlab.server;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/** Socket addresses as users type them: {@code 127.0.0.1:8001}, {@code [::1]:8001}. */
final class Addresses {

    private Addresses() {}

    static String describe(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        String host =
                inet.getAddress() instanceof Inet6Address
                        ? "[" + inet.getAddress().getHostAddress() + "]"
                        : inet.getHostString();
        return host + ":" + inet.getPort();
    }

    static String describe(List<? extends SocketAddress> addresses) {
        return addresses.stream().map(Addresses::describe).collect(Collectors.joining(", "));
    }
}

package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.List;

/** Renders {@link Network#summary()}: one row per layer, residual bodies indented. */
final class NetworkSummary {

    private static final String ROW = "%-4s %-28s %-20s %-16s %12s %14s%n";

    private NetworkSummary() {}

    static String render(Network network) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Network '%s', input %s%n", network.name(), network.inputShape()));
        out.append(String.format(ROW, "#", "layer", "kind", "output", "parameters", "FLOPs"));
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < network.layers().size(); i++) {
            addRows(rows, String.valueOf(i), "", network.layers().get(i), network.inputShapeOf(i));
        }
        for (String[] row : rows) {
            out.append(String.format(ROW, (Object[]) row));
        }
        out.append(
                String.format(
                        "Total: %,d parameters, %,d FLOPs per example (%.1f MFLOP)%n",
                        network.parameterCount(), network.flops(), network.flops() / 1e6));
        return out.toString();
    }

    private static void addRows(
            List<String[]> rows, String index, String indent, Layer layer, Shape input) {
        rows.add(row(index, indent + layer.name(), layer, input));
        if (!(layer instanceof Residual residual)) {
            return;
        }
        Shape shape = input;
        for (Layer inner : residual.body()) {
            addRows(rows, "", indent + "  ", inner, shape);
            shape = inner.outputShape(shape);
        }
        residual.projection().ifPresent(p -> rows.add(row("", indent + "  " + p.name(), p, input)));
        residual.activation()
                .ifPresent(
                        a ->
                                rows.add(
                                        row(
                                                "",
                                                indent + "  " + a.name(),
                                                a,
                                                layer.outputShape(input))));
    }

    private static String[] row(String index, String name, Layer layer, Shape input) {
        String parameters;
        String flops;
        if (layer instanceof Residual) {
            parameters = "(" + String.format("%,d", layer.parameterCount(input)) + ")";
            flops = "(" + String.format("%,d", layer.flops(input)) + ")";
        } else {
            parameters = String.format("%,d", layer.parameterCount(input));
            flops = String.format("%,d", layer.flops(input));
        }
        return new String[] {
            index, name, layer.kind(), layer.outputShape(input).toString(), parameters, flops
        };
    }
}

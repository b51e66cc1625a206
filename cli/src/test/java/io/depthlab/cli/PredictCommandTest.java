package io.depthlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {

    @TempDir Path dir;

    /** Regression: getRGB gamma-converted grey PNGs, changing 269 of 784 EMNIST pixels. */
    @Test
    void grey_greyPng_keepsStoredValues() throws Exception {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 5, 31, 128, 200, 255};
        image.getRaster().setSamples(0, 0, 3, 2, 0, values);
        File png = dir.resolve("glyph.png").toFile();
        ImageIO.write(image, "png", png);

        byte[] pixels = PredictCommand.grey(ImageIO.read(png), false);

        assertThat(unsigned(pixels)).containsExactly(values);
    }

    @Test
    void grey_rgbImageInverted_lumaFromDarkInk() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xffffff);
        image.setRGB(1, 0, 0x000000);

        byte[] pixels = PredictCommand.grey(image, true);

        assertThat(unsigned(pixels)).containsExactly(0, 255);
    }

    @Test
    void rgbPlanes_colourImage_redThenGreenThenBluePlanes() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x102030);
        image.setRGB(1, 0, 0xa0b0c0);

        byte[] pixels = PredictCommand.rgbPlanes(image, false);

        assertThat(unsigned(pixels)).containsExactly(0x10, 0xa0, 0x20, 0xb0, 0x30, 0xc0);
    }

    @Test
    void rgbPlanes_greyPngs_storedValueInEveryPlane() throws Exception {
        BufferedImage bytes = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        bytes.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {128, 31});
        BufferedImage shorts = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        shorts.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {128 * 257, 31 * 257});

        for (BufferedImage image : new BufferedImage[] {bytes, shorts}) {
            File png = dir.resolve("grey.png").toFile();
            ImageIO.write(image, "png", png);

            byte[] pixels = PredictCommand.rgbPlanes(ImageIO.read(png), false);

            assertThat(unsigned(pixels)).containsExactly(128, 31, 128, 31, 128, 31);
        }
    }

    private static int[] unsigned(byte[] bytes) {
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = bytes[i] & 0xff;
        }
        return values;
    }
}

package io.depthlab.trainer.data;

/**
 * Derives independent seeds from a base seed and a path of numbers (epoch, batch), so that every
 * random stream in this package is a pure function of the seeds the user gave.
 */
final class Seeds {

    private Seeds() {}

    /**
     * Mixes {@code parts} into {@code seed} with the SplitMix64 finalizer (Steele, Lea and Flood,
     * "Fast splittable pseudorandom number generators", OOPSLA 2014). Nearby inputs (epoch 3 and
     * epoch 4) give unrelated outputs, which a plain sum would not.
     */
    static long derive(long seed, long... parts) {
        long h = mix(seed);
        for (long part : parts) {
            h = mix(h ^ mix(part + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

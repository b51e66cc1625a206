package io.depthlab.trainer.engine.conv;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A per-thread ND4J workspace for the temporaries of one op (a batch-norm backward pass, a leaky
 * ReLU derivative): every array created while it is open lives in memory that the next opening
 * reuses, so temporaries cost no allocation and no page faults (see {@link ArraySlot} for why that
 * matters here). It grows to the largest use and keeps that memory while the thread lives.
 *
 * <p>Only for arrays that die before the scope closes: results must go to arrays allocated outside,
 * passed in by the caller.
 */
final class Scratch {
    private static final String NAME = "depthlab-conv-scratch";

    private static final WorkspaceConfiguration CONFIG =
            WorkspaceConfiguration.builder()
                    .initialSize(0)
                    .policyAllocation(AllocationPolicy.OVERALLOCATE)
                    .overallocationLimit(0.2)
                    .policyLearning(LearningPolicy.FIRST_LOOP)
                    .policyReset(ResetPolicy.BLOCK_LEFT)
                    .policySpill(SpillPolicy.REALLOCATE)
                    .build();

    private Scratch() {}

    /** Opens this thread's scratch workspace; close it (try-with-resources) when done. */
    static MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, NAME);
    }
}

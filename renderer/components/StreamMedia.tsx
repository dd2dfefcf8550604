import { useEffect, useRef, useState } from 'react';

/** Whether `stream` has a video track that is currently delivering frames (not muted by the sender). */
export function useLiveVideo(stream: MediaStream | null): boolean {
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (stream === null) {
      setLive(false);
      return;
    }
    const update = () => {
      setLive(stream.getVideoTracks().some((track) => track.readyState === 'live' && !track.muted && track.enabled));
    };
    const watched = new Set<MediaStreamTrack>();
    const watch = () => {
      for (const track of stream.getVideoTracks()) {
        if (watched.has(track)) continue;
        watched.add(track);
        track.addEventListener('mute', update);
        track.addEventListener('unmute', update);
        track.addEventListener('ended', update);
      }
      update();
    };
    watch();
    stream.addEventListener('addtrack', watch);
    stream.addEventListener('removetrack', update);
    return () => {
      stream.removeEventListener('addtrack', watch);
      stream.removeEventListener('removetrack', update);
      for (const track of watched) {
        track.removeEventListener('mute', update);
        track.removeEventListener('unmute', update);
        track.removeEventListener('ended', update);
      }
    };
  }, [stream]);
  return live;
}

/** A <video> showing a stream; always muted, because the call's sound plays through RemoteAudio. */
export function StreamVideo({ stream, className, label }: { stream: MediaStream; className: string; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (video === null) return;
    video.srcObject = stream;
    return () => {
      video.srcObject = null;
    };
  }, [stream]);
  return <video ref={ref} className={className} autoPlay playsInline muted aria-label={label} />;
}

/**
 * Plays the other side's sound; kept apart from the video so audio-only calls play too. `sinkId`
 * is the chosen speaker ('' for the system default).
 */
export function RemoteAudio({ stream, sinkId = '' }: { stream: MediaStream | null; sinkId?: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (audio === null) return;
    audio.srcObject = stream;
    if (stream !== null) void audio.play().catch(() => undefined);
    return () => {
      audio.srcObject = null;
    };
  }, [stream]);
  useEffect(() => {
    const audio = ref.current;
    // A speaker that vanished mid-call rejects: the sound stays on the one playing it now.
    if (audio !== null && 'setSinkId' in audio && audio.sinkId !== sinkId) void audio.setSinkId(sinkId).catch(() => undefined);
  }, [sinkId]);
  return <audio ref={ref} autoPlay className="remote-audio" aria-hidden="true" />;
}

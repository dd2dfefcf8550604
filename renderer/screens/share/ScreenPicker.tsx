import { useEffect, useId, useRef, useState } from 'react';
import type { CaptureSourceView, SealcallBridge } from '../../../shared/ipc';
import type { CallEngine } from '../../call/call-engine-types';
import { CloseIcon } from '../../components/Icons';
import { Modal } from '../../components/Modal';
import { describeIpcError } from '../../hooks/ipc-error';
import { useThumbnailUrl } from './thumbnail-url';
import './share.css';

interface ScreenPickerProps {
  bridge: SealcallBridge;
  /** The 1:1 or the group call engine: the picker only asks it to share once the pick is armed. */
  engine: Pick<CallEngine, 'shareScreen'>;
  /** Who will see the share: "Bob", or "everyone in the call". */
  peerName: string;
  onClose: () => void;
}

/** Well inside the minute the core honours a listing for. */
const RELIST_EVERY_MS = 20_000;

type Listing = { state: 'loading' } | { state: 'ready'; sources: CaptureSourceView[] } | { state: 'failed'; message: string };

function SourceOption({ source, name, checked, onPick }: { source: CaptureSourceView; name: string; checked: boolean; onPick: () => void }) {
  const thumbnail = useThumbnailUrl(source.thumbnail);
  return (
    <label className={checked ? 'share-source share-source-checked' : 'share-source'}>
      <input type="radio" className="share-source-radio" name={name} value={source.id} checked={checked} onChange={onPick} />
      <span className="share-source-picture">{thumbnail !== null && <img src={thumbnail} alt="" />}</span>
      <span className="share-source-name">{source.name === '' ? (source.kind === 'screen' ? 'Screen' : 'Untitled window') : source.name}</span>
    </label>
  );
}

/**
 * Sealcall's own screen picker: the user chooses a screen or window here, the core arms that
 * choice, and only then does the page ask to capture, so the shell grants exactly what was picked.
 */
export function ScreenPicker({ bridge, engine, peerName, onClose }: ScreenPickerProps) {
  const ids = useId();
  const [listing, setListing] = useState<Listing>({ state: 'loading' });
  const [picked, setPicked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  // The core honours a listing for a minute (SHARE_PICK_TIMEOUT_MS); listing again while the
  // picker stays open keeps a slow pick valid and the windows current. Not while a pick is being
  // shared: a fresh listing disarms it.
  const sharing = useRef(false);
  useEffect(() => {
    let current = true;
    const list = () => {
      if (sharing.current) return;
      bridge.invoke('screen.sources').then(
        (sources) => {
          if (!current) return;
          setListing({ state: 'ready', sources });
          setPicked((was) => (sources.some((source) => source.id === was) ? was : (sources[0]?.id ?? null)));
        },
        (error: unknown) => {
          // A later listing that fails leaves the one shown; Share then says what is wrong.
          if (current) setListing((shown) => (shown.state === 'ready' ? shown : { state: 'failed', message: describeIpcError(error, "Sealcall couldn't list your screens and windows.").message }));
        },
      );
    };
    list();
    const timer = setInterval(list, RELIST_EVERY_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [bridge]);

  const share = async () => {
    if (picked === null) return;
    setBusy(true);
    sharing.current = true;
    setProblem(null);
    try {
      await bridge.invoke('screen.choose', { sourceId: picked });
      await engine.shareScreen();
      onClose();
    } catch (error) {
      setProblem(describeIpcError(error, "Your screen couldn't be shared. Try again.").message);
      sharing.current = false;
      setBusy(false);
    }
  };

  const sources = listing.state === 'ready' ? listing.sources : [];
  const groups = [
    { kind: 'screen', title: 'Screens', items: sources.filter((source) => source.kind === 'screen') },
    { kind: 'window', title: 'Windows', items: sources.filter((source) => source.kind === 'window') },
  ].filter((group) => group.items.length > 0);

  return (
    <Modal labelledBy={`${ids}-title`} describedBy={`${ids}-text`} onDismiss={onClose} className="share-picker">
      <button type="button" className="icon-button modal-close" aria-label="Close" onClick={onClose}>
        <CloseIcon />
      </button>
      <h2 id={`${ids}-title`} className="modal-title">
        Share your screen
      </h2>
      <p id={`${ids}-text`} className="modal-text">
        Choose what {peerName} will see. It's end-to-end encrypted, like the rest of the call.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void share();
        }}
      >
        {listing.state === 'loading' && (
          <p className="share-picker-note" role="status">
            Looking for screens and windows…
          </p>
        )}
        {listing.state === 'failed' && (
          <p className="share-picker-problem" role="alert">
            {listing.message}
          </p>
        )}
        {listing.state === 'ready' && sources.length === 0 && <p className="share-picker-note">There's no screen or window to share.</p>}
        {groups.map((group) => (
          <fieldset key={group.kind} className="share-group">
            <legend className="share-group-title">{group.title}</legend>
            <div className="share-grid">
              {group.items.map((source) => (
                <SourceOption
                  key={source.id}
                  source={source}
                  name={`${ids}-source`}
                  checked={picked === source.id}
                  onPick={() => {
                    setPicked(source.id);
                  }}
                />
              ))}
            </div>
          </fieldset>
        ))}
        {problem !== null && (
          <p className="share-picker-problem" role="alert">
            {problem}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={picked === null || busy}>
            {busy ? 'Sharing…' : 'Share'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

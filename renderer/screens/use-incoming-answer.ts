import { useState } from 'react';

/**
 * A ring being answered, 1:1 or group: whether the answer is on its way, and the "answer anyway"
 * consent that a changed safety number needs before any accept goes out. The answer's promise
 * resolves false when answering failed (the parent says why), so the buttons come back.
 */
export function useIncomingAnswer<M>(keyChanged: boolean, onAccept: (media: M, confirmKeyChange: boolean) => Promise<boolean>) {
  const [answering, setAnswering] = useState(false);
  const [keyChangeConfirmed, setKeyChangeConfirmed] = useState(false);
  const gated = keyChanged && !keyChangeConfirmed;
  const accept = (media: M) => {
    if (gated) return;
    setAnswering(true);
    void onAccept(media, keyChangeConfirmed).then((ok) => {
      if (!ok) setAnswering(false);
    });
  };
  return { answering, keyChangeConfirmed, setKeyChangeConfirmed, gated, accept };
}

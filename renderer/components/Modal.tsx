import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

interface ModalProps {
  labelledBy: string;
  describedBy?: string;
  /** 'alertdialog' for what interrupts the user (an incoming call); 'dialog' otherwise. */
  role?: 'dialog' | 'alertdialog';
  /** Escape closes through this; without it Escape does nothing (a decision is required). */
  onDismiss?: () => void;
  /** Where focus starts; the browser's choice (the first control) otherwise. */
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}

/**
 * A modal on the native <dialog>: the browser makes the rest of the page inert, keeps focus inside
 * and hands it back on close, with no focus-trap code of our own to get wrong.
 */
export function Modal({ labelledBy, describedBy, role = 'dialog', onDismiss, initialFocus, className, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement;
    if (!dialog.open) dialog.showModal();
    initialFocus?.current?.focus();
    return () => {
      dialog.close();
      // React removes the dialog as it closes, and Chromium then drops focus to <body> instead of
      // handing it back: return it to the control that opened the dialog, if that is still there.
      const { activeElement } = document;
      const focusLost = activeElement === null || activeElement === document.body || dialog.contains(activeElement);
      if (focusLost && opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, [initialFocus]);
  return (
    <dialog
      ref={ref}
      role={role}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      className={className === undefined ? 'modal' : `modal ${className}`}
      onCancel={(event) => {
        event.preventDefault();
        onDismiss?.();
      }}
    >
      {children}
    </dialog>
  );
}

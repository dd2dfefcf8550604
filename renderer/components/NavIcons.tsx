/* Icons for the navigation rail and the call history, drawn like the rest (see Icons.tsx). */
import { Icon } from './Icons';

type IconProps = { className?: string };

export const ClockIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5V12l3 2" />
  </Icon>
);

export const GearIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <circle cx="12" cy="12" r="3" />
    <path d="M12 2.8v2.4M12 18.8v2.4M2.8 12h2.4M18.8 12h2.4M5.5 5.5l1.7 1.7M16.8 16.8l1.7 1.7M5.5 18.5l1.7-1.7M16.8 7.2l1.7-1.7" />
    <circle cx="12" cy="12" r="6.2" />
  </Icon>
);

export const KeyboardIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <rect x="2.5" y="6" width="19" height="12" rx="2.5" />
    <path d="M6.5 10h.01M10 10h.01M13.5 10h.01M17 10h.01M6.5 13.5h.01M17 13.5h.01M9.5 14h5" />
  </Icon>
);

/** A call you placed: the arrow leaves. */
export const OutgoingIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M7 17 17 7M9 7h8v8" />
  </Icon>
);

/** A call you received: the arrow arrives. */
export const IncomingIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M17 7 7 17M15 17H7V9" />
  </Icon>
);

/** A call nobody answered: the arrow bounces back. */
export const MissedIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="m4 7 8 8 8-8M4 7h5M4 7v5" />
  </Icon>
);

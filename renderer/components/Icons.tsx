/*
 * Line icons drawn inline (24-unit grid, stroke in the text colour), so they follow dark mode and
 * need no image files. Always decorative: the control around each one carries the name.
 */
import type { ReactNode } from 'react';

export function Icon({ children, className }: { children: ReactNode; className?: string | undefined }) {
  return (
    <svg className={className === undefined ? 'icon' : `icon ${className}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

type IconProps = { className?: string };

export const VideoIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <rect x="2.5" y="6" width="13" height="12" rx="2.5" />
    <path d="m15.5 10.5 6-3.5v10l-6-3.5" />
  </Icon>
);

export const VideoOffIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M15.5 13.5 21.5 17V7l-6 3.5M12 6h1a2.5 2.5 0 0 1 2.5 2.5V11M15.5 15.5A2.5 2.5 0 0 1 13 18H5a2.5 2.5 0 0 1-2.5-2.5v-7A2.5 2.5 0 0 1 5 6" />
    <path d="m3 3 18 18" />
  </Icon>
);

export const PhoneIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M5 3.5h3.2l1.6 4.3-2.1 1.4a11 11 0 0 0 7.1 7.1l1.4-2.1 4.3 1.6V19a2 2 0 0 1-2.2 2A17.5 17.5 0 0 1 3 5.7 2 2 0 0 1 5 3.5Z" />
  </Icon>
);

export const HangUpIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M3.2 14.6c-.6-.6-.6-1.6.1-2.2C5.6 10.3 8.7 9 12 9s6.4 1.3 8.7 3.4c.7.6.7 1.6.1 2.2l-1.6 1.6a1.5 1.5 0 0 1-2 .1l-2-1.6a1.5 1.5 0 0 1-.5-1.4l.3-1.4a10 10 0 0 0-6 0l.3 1.4a1.5 1.5 0 0 1-.5 1.4l-2 1.6a1.5 1.5 0 0 1-2-.1Z" />
  </Icon>
);

export const MicIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <rect x="9" y="2.5" width="6" height="12" rx="3" />
    <path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21" />
  </Icon>
);

export const MicOffIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M15 10V5.5a3 3 0 0 0-5.8-1M9 9v2.5a3 3 0 0 0 4.7 2.5M5.5 11a6.5 6.5 0 0 0 10.4 5.2M18.5 11a6.4 6.4 0 0 1-.5 2.5M12 17.5V21" />
    <path d="m3 3 18 18" />
  </Icon>
);

export const SearchIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <circle cx="10.5" cy="10.5" r="6.5" />
    <path d="m15.5 15.5 5 5" />
  </Icon>
);

export const ShieldCheckIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M12 2.8 4.5 5.6v5.6c0 4.8 3.2 8.7 7.5 10 4.3-1.3 7.5-5.2 7.5-10V5.6L12 2.8Z" />
    <path d="m8.8 12 2.3 2.3 4.3-4.6" />
  </Icon>
);

export const WarningIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="M10.3 4.2 2.6 17.6A2 2 0 0 0 4.3 20.6h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0Z" />
    <path d="M12 9.5v4.5M12 17.2v.1" />
  </Icon>
);

export const LockIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <rect x="4.5" y="10.5" width="15" height="10" rx="2.5" />
    <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
  </Icon>
);

export const ChevronLeftIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="m14.5 5.5-6.5 6.5 6.5 6.5" />
  </Icon>
);

export const CloseIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <path d="m6 6 12 12M18 6 6 18" />
  </Icon>
);

export const KeyIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <circle cx="8" cy="15" r="4.5" />
    <path d="m11.2 11.8 8.3-8.3M16.5 6.5l2.5 2.5M14 9l2 2" />
  </Icon>
);

export const PeopleIcon = ({ className }: IconProps) => (
  <Icon className={className}>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.8a3.5 3.5 0 0 1 0 6.4M18.5 14.3a6.5 6.5 0 0 1 3 5.7" />
  </Icon>
);

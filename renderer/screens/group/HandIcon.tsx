import { Icon } from '../../components/Icons';

/** An open hand, raised: the raise-hand control, and the badge on a tile and in the list. */
export const HandIcon = ({ className }: { className?: string }) => (
  <Icon className={className}>
    <path d="M8 12.5V5.5a1.5 1.5 0 0 1 3 0V11M11 10.5V4a1.5 1.5 0 0 1 3 0v6.5M14 10.5V5.5a1.5 1.5 0 0 1 3 0v7M17 11.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-1a6.5 6.5 0 0 1-5.3-2.8L4.2 15.5a1.5 1.5 0 0 1 2.4-1.8L8 15.5" />
  </Icon>
);

import { Icon } from '../../components/Icons';

export const ScreenShareIcon = ({ className }: { className?: string }) => (
  <Icon className={className}>
    <rect x="2.5" y="4" width="19" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M12 13.5v-6M9 10l3-3 3 3" />
  </Icon>
);

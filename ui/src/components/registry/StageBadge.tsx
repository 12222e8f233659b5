// A model version's stage as a small coloured badge (the text carries the meaning, colour only helps).
export function StageBadge({ stage }: { stage: string }) {
  return <span className={`stage stage-${stage.toLowerCase()}`}>{stage}</span>;
}

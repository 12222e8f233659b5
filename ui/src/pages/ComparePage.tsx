export function ComparePage() {
  return <main>TODO</main>;
}

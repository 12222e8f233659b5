import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <main>
      <h1>Page not found</h1>
      <p>
        <Link to="/experiments">Back to the experiments</Link>
      </p>
    </main>
  );
}

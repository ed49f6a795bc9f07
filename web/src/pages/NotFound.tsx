import { Link } from 'react-router';

export function NotFoundPage({ what = 'page' }: { what?: string }) {
  return (
    <section>
      <h1>Not found</h1>
      <p>This {what} does not exist, or it is not yours.</p>
      <Link to="/">Back to the dashboard</Link>
    </section>
  );
}

// The app shell: top bar (brand, navigation, theme toggle) and the routes. Paths here must stay in
// step with UI_CLIENT_ROUTES in src/server/ui-plugin.ts, which answers them with index.html.
import { lazy, Suspense, useState } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router-dom';
import { ExperimentsPage } from './pages/ExperimentsPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { currentTheme, saveTheme } from './lib/theme.js';

// the pages that draw charts load ECharts with them, so the lists paint without it
const RunPage = lazy(() => import('./pages/RunPage.js').then((m) => ({ default: m.RunPage })));
const ComparePage = lazy(() => import('./pages/ComparePage.js').then((m) => ({ default: m.ComparePage })));

export function App() {
  const [theme, setTheme] = useState(currentTheme);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    saveTheme(next);
    setTheme(next);
  };
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/experiments" className="brand">
          Cairn
        </Link>
        <nav aria-label="Main">
          <Link to="/experiments">Experiments</Link>
        </nav>
        <span className="spacer" />
        <button type="button" onClick={toggle} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <Suspense fallback={<main className="muted">Loading…</main>}>
        <Routes>
          <Route path="/" element={<Navigate to="/experiments" replace />} />
          <Route path="/experiments" element={<ExperimentsPage />} />
          <Route path="/experiments/:experimentId" element={<RunsPage />} />
          <Route path="/runs/:runId" element={<RunPage />} />
          <Route path="/compare" element={<ComparePage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </div>
  );
}

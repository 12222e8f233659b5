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
// registry and monitoring pages
const ModelsPage = lazy(() => import('./pages/ModelsPage.js').then((m) => ({ default: m.ModelsPage })));
const ModelPage = lazy(() => import('./pages/ModelPage.js').then((m) => ({ default: m.ModelPage })));
const VersionPage = lazy(() => import('./pages/VersionPage.js').then((m) => ({ default: m.VersionPage })));
const WebhooksPage = lazy(() => import('./pages/WebhooksPage.js').then((m) => ({ default: m.WebhooksPage })));
const MonitoringPage = lazy(() => import('./pages/MonitoringPage.js').then((m) => ({ default: m.MonitoringPage })));

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
          <Link to="/models">Models</Link>
          <Link to="/monitoring">Monitoring</Link>
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
          <Route path="/models" element={<ModelsPage />} />
          <Route path="/models/:name" element={<ModelPage />} />
          <Route path="/models/:name/versions/:version" element={<VersionPage />} />
          <Route path="/webhooks" element={<WebhooksPage />} />
          <Route path="/monitoring" element={<MonitoringPage />} />
          <Route path="/monitoring/:name" element={<MonitoringPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </div>
  );
}

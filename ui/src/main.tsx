// Entry point: mounts the app with the router (all view state lives in the URL).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App.js';
import { applyTheme, initialTheme } from './lib/theme.js';
import './styles.css';

applyTheme(initialTheme());
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);

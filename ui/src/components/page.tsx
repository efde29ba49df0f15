/** Page scaffolding: a titled page with actions, an empty state and a loading line. */
import { type ReactNode, useEffect } from "react";

/** Props of Page. */
export interface PageProps {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}

/** A page: its title (also the document title), description, actions and content. */
export function Page({ title, description, actions, children }: PageProps) {
  useEffect(() => {
    document.title = `${title} · Coze Loop`;
  }, [title]);
  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {description && <p>{description}</p>}
        </div>
        {actions && <div className="row">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** What a list shows when it has nothing. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** A loading line. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return <div className="muted" role="status">{label}</div>;
}

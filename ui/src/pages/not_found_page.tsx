/** Any console path no page answers. */
import { Link } from "react-router";
import { Page } from "../components/page.tsx";

/** The not-found page. */
export default function NotFoundPage() {
  return (
    <Page title="Page not found" description="No page has this address.">
      <p>
        <Link to="/console">Go to the console</Link>
      </p>
    </Page>
  );
}

/**
 * PLACEHOLDER for the pages still to be built (prompts, playground, traces): their routes,
 * navigation entries and links exist so that URLs are stable; each will replace this
 * component with its own page module (see ui/README.md, "Adding a page").
 */
import { useLocation, useParams } from "react-router";
import { Page } from "../components/page.tsx";
import { Notice } from "../components/notice.tsx";

/** A placeholder page naming what will be here. */
export default function ComingPage(
  { title, what }: { title: string; what: string },
) {
  const { spaceId } = useParams();
  const { search } = useLocation();
  return (
    <Page title={title} description={what}>
      <Notice>
        Coming soon: this page is not built yet. Its address already works
        {spaceId
          ? (
            <>
              (workspace <code>{spaceId}</code>
              {search && (
                <>
                  , <code>{search}</code>
                </>
              )})
            </>
          )
          : null}.
      </Notice>
    </Page>
  );
}

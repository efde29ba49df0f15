/**
 * A virtualized list (TanStack Virtual): only the rows in view are rendered, so lists of
 * spans, traces or dataset items of any length scroll smoothly.
 */
import { type ReactNode, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";

/** Props of VirtualList. */
export interface VirtualListProps<T> {
  items: T[];
  /** Estimated row height in px (rows are measured once rendered). */
  rowHeight: number;
  /** Height of the scrolling area (CSS length). */
  height: string | number;
  renderRow: (item: T, index: number) => ReactNode;
  /** A stable key per item. */
  itemKey: (item: T, index: number) => string | number;
  className?: string;
}

/** A list that renders only its visible rows. */
export function VirtualList<T>(
  { items, rowHeight, height, renderRow, itemKey, className }: VirtualListProps<
    T
  >,
) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    getItemKey: (i) => itemKey(items[i], i),
    overscan: 8,
  });
  return (
    <div
      ref={scroller}
      className={className}
      style={{ height, overflowY: "auto" }}
    >
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((row) => (
          <div
            key={row.key}
            data-index={row.index}
            ref={v.measureElement}
            style={{
              position: "absolute",
              top: 0,
              left: 0,
              right: 0,
              translate: `0 ${row.start}px`,
            }}
          >
            {renderRow(items[row.index], row.index)}
          </div>
        ))}
      </div>
    </div>
  );
}

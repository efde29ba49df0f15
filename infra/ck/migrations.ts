/** ClickHouse DDL applied at every start (each statement is idempotent). Domains add theirs. */
export const CK_MIGRATIONS: string[] = [];

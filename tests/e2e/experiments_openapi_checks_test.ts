/**
 * The OpenAPI experiment routes (both modes): workspace isolation (another user's token, on
 * the owner's workspace or on its own, is refused and changes nothing) and bad input (a
 * clear error, nothing created or changed) on submit, get, list, kill and retry.
 */
import assert from "node:assert/strict";
import { createToken, post, registerUser } from "./_client.ts";
import { setupEvaluators } from "./_evaluators.ts";
import { call, getOapi, OX, setupScenario, waitOapi } from "./_experiments_openapi.ts";

const NO_PERMISSION = 602000101;
const INVALID = 602000202;
const NOT_FOUND = 602000205;

Deno.test({
  name: "e2e experiments OpenAPI: isolation and bad input on every route",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { llm, server, models } = await setupEvaluators();
    try {
      const u = await registerUser(server);
      const other = await registerUser(server);
      const tag = crypto.randomUUID().slice(0, 8);
      const s = await setupScenario(server, u, tag, 3);
      const token = await createToken(server, u.cookie);
      const theirToken = await createToken(server, other.cookie);
      const ws = { workspace_id: u.spaceId };
      const theirs = { workspace_id: other.spaceId };
      const body = {
        ...ws,
        name: "checked",
        eval_set_param: { eval_set_id: s.set.setId, version: "1.0.0" },
        evaluator_params: [{ evaluator_id: s.exact.id, version: "1.0.0" }],
        eval_target_param: { source_target_id: s.promptId, source_target_version: "1.0.0" },
        target_field_mapping: {
          from_eval_set: [{ field_name: "question", from_field_name: "question" }],
        },
        pass_thresholds: [{ evaluator_id: s.exact.id, version: "1.0.0", min_score: 0.5 }],
      };
      const created = await call(server, token, OX, body);
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      const id = created.body.data.experiment.id;
      const ended = await waitOapi(server, token, u.spaceId, id);
      assert.equal(ended.status, "success", JSON.stringify(ended));
      const total = async (tok: string, w: string) => {
        const r = await call(server, tok, `${OX}/list`, { workspace_id: w, page_size: 50 });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        return r.body.data.total;
      };

      await t.step("isolation: submit, get, list, retry refused; nothing changed", async () => {
        const refused = [
          call(server, theirToken, OX, { ...body, name: "stolen" }),
          call(server, theirToken, `${OX}/${id}?workspace_id=${u.spaceId}`, undefined, "GET"),
          call(server, theirToken, `${OX}/list`, ws),
          call(server, theirToken, `${OX}/${id}/retry`, { ...ws, retry_mode: "retry_all" }),
          call(server, theirToken, `${OX}/${id}/kill`, ws),
        ];
        for (const r of await Promise.all(refused)) {
          assert.equal(r.body.code, NO_PERMISSION, JSON.stringify(r.body));
        }
        // In its own workspace, the outsider finds none of the owner's things.
        const viaOwn = await Promise.all([
          call(server, theirToken, `${OX}/${id}?workspace_id=${other.spaceId}`, undefined, "GET"),
          call(server, theirToken, `${OX}/${id}/retry`, { ...theirs, retry_mode: "retry_all" }),
          call(server, theirToken, `${OX}/${id}/kill`, theirs),
        ]);
        for (const r of viaOwn) assert.equal(r.body.code, NOT_FOUND, JSON.stringify(r.body));
        const sub = await call(server, theirToken, OX, { ...body, ...theirs, name: "stolen" });
        assert.notEqual(sub.body.code, 0, "another workspace's set is not found");
        assert.match(sub.body.msg, /not found/, JSON.stringify(sub.body));
        assert.equal(await total(theirToken, other.spaceId), "0");
        assert.equal(await total(token, u.spaceId), "1");
        const after = await getOapi(server, token, u.spaceId, id);
        assert.equal(after.status, "success");
        assert.equal(after.base_info.updated_at, ended.base_info.updated_at, "no retry happened");
        assert.equal(after.name, "checked");
      });

      await t.step("isolation: kill of a running run refused; it keeps running", async () => {
        const r = await call(server, token, OX, {
          ...body,
          name: "slow",
          eval_set_param: { eval_set_id: s.slow.setId, version: "1.0.0" },
          pass_thresholds: [],
          item_concur_num: 1,
        });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const slow = r.body.data.experiment.id;
        await waitOapi(
          server,
          token,
          u.spaceId,
          slow,
          (e) => e.expt_stats.processing_turn_count > 0,
        );
        const k = await call(server, theirToken, `${OX}/${slow}/kill`, ws);
        assert.equal(k.body.code, NO_PERMISSION, JSON.stringify(k.body));
        const k2 = await call(server, theirToken, `${OX}/${slow}/kill`, theirs);
        assert.equal(k2.body.code, NOT_FOUND, JSON.stringify(k2.body));
        assert.equal((await getOapi(server, token, u.spaceId, slow)).status, "processing");
        const mine = await call(server, token, `${OX}/${slow}/kill`, ws);
        assert.equal(mine.body.code, 0, JSON.stringify(mine.body));
        const e = await waitOapi(server, token, u.spaceId, slow, undefined, 20_000);
        assert.equal(e.status, "terminated");
      });

      await t.step("bad input on submit: a clear error, nothing created", async () => {
        const n = await total(token, u.spaceId);
        const { name: _n, ...noName } = body;
        const { eval_set_param: _s, ...noSet } = body;
        const cases: [unknown, RegExp][] = [
          [noSet, /eval_set_param.*required/],
          [{ ...body, name: "a", eval_set_param: { eval_set_id: s.set.setId } }, /version/],
          [
            { ...body, name: "b", eval_set_param: { eval_set_id: s.set.setId, version: "9.9.9" } },
            /version "9.9.9" not found/,
          ],
          [
            { ...body, name: "b2", eval_set_param: { eval_set_id: "12345", version: "1.0.0" } },
            /not found/,
          ],
          [
            {
              ...body,
              name: "c",
              evaluator_params: [{ evaluator_id: s.exact.id, version: "2.0.0" }],
            },
            /not found/,
          ],
          [{ ...body, name: "d", evaluator_params: [], pass_thresholds: [] }, /evaluator/],
          [
            {
              ...body,
              name: "e",
              eval_target_param: { ...body.eval_target_param, eval_target_type: "coze_bot" },
            },
            /coze_bot.*not supported/,
          ],
          [
            {
              ...body,
              name: "f",
              eval_target_param: { ...body.eval_target_param, eval_target_type: "robot" },
            },
            /eval_target_type/,
          ],
          [
            {
              ...body,
              name: "g",
              eval_target_param: { ...body.eval_target_param, source_target_version: "7.7.7" },
            },
            /not found|7\.7\.7/,
          ],
          [{ ...body, name: "h", item_concur_num: 0 }, /item_concur_num/],
          [{ ...body, name: "i", item_retry_num: 99 }, /item_retry_num/],
          [{ ...body, name: "j", pass_thresholds: [{ min_score: 1 }] }, /pass_thresholds/],
          [
            {
              ...body,
              name: "k",
              pass_thresholds: [{ evaluator_id: s.contains.id, version: "1.0.0", min_score: 1 }],
            },
            /pass_thresholds.*not in the experiment/,
          ],
          [{
            ...body,
            name: "l",
            pass_thresholds: [{ evaluator_id: s.exact.id, version: "1.0.0", min_score: "high" }],
          }, /min_score/],
          [{ ...body, name: "m", eval_set_configs: [{ eval_set_id: "1" }] }, /eval_set_configs/],
          [
            { ...body, name: "n", eval_set_source_type: "multi_set_config" },
            /eval_set_source_type/,
          ],
          [
            {
              ...body,
              name: "o",
              evaluator_field_mapping: [{ evaluator_id: s.contains.id, version: "9.0.0" }],
            },
            /not found/,
          ],
          [{ ...body, name: "checked" }, /already exists/],
          [noName, /name/],
          [{ ...body, workspace_id: "abc" }, /workspace_id/],
          ["{not json", /invalid|json/i],
        ];
        for (const [b, re] of cases) {
          const r = await call(server, token, OX, b);
          assert.notEqual(r.body.code, 0, JSON.stringify(b));
          assert.match(r.body.msg, re, `${JSON.stringify(b).slice(0, 300)} -> ${r.body.msg}`);
        }
        assert.equal(await total(token, u.spaceId), n, "no experiment was created");
        const anonymous = await post(server, OX, body);
        assert.equal(anonymous.status, 401, JSON.stringify(anonymous.body));
      });

      await t.step(
        "bad input on get, list, kill, retry: clear errors, nothing changed",
        async () => {
          const get = (path: string) => call(server, token, path, undefined, "GET");
          const cases: [Promise<{ body: { code: number; msg: string } }>, number, RegExp][] = [
            [get(`${OX}/abc?workspace_id=${u.spaceId}`), INVALID, /experiment_id/],
            [get(`${OX}/${id}`), INVALID, /workspace_id/],
            [get(`${OX}/123456789?workspace_id=${u.spaceId}`), NOT_FOUND, /experiment 123456789/],
            [call(server, token, `${OX}/list`, { ...ws, page_size: 0 }), INVALID, /page_size/],
            [
              call(server, token, `${OX}/list`, {
                ...ws,
                filter_option: {
                  filters: {
                    filter_conditions: [{ field: { field_type: "target_id" }, value: "1" }],
                  },
                },
              }),
              INVALID,
              /field_type/,
            ],
            [
              call(server, token, `${OX}/list`, {
                ...ws,
                filter_option: {
                  filters: {
                    filter_conditions: [{ field: { field_type: "expt_status" }, value: "done" }],
                  },
                },
              }),
              INVALID,
              /"done" is no experiment status/,
            ],
            [
              call(server, token, `${OX}/list`, {
                ...ws,
                filter_option: {
                  filters: {
                    filter_conditions: [{
                      field: { field_type: "eval_set_id" },
                      value: `${s.set.setId},9999999999999999999`,
                    }],
                  },
                },
              }),
              INVALID,
              /"9999999999999999999" is no id/,
            ],
            [
              call(server, token, `${OX}/list`, {
                ...ws,
                order_bys: [{ field: "created_at", is_asc: true }],
              }),
              INVALID,
              /order_bys/,
            ],
            [call(server, token, `${OX}/abc/kill`, ws), INVALID, /experiment_id/],
            [call(server, token, `${OX}/123456789/kill`, ws), NOT_FOUND, /not found/],
            [call(server, token, `${OX}/${id}/kill`, ws), INVALID, /already ended/],
            [call(server, token, `${OX}/${id}/kill`, {}), INVALID, /workspace_id/],
            [
              call(server, token, `${OX}/${id}/retry`, { ...ws, retry_mode: "retry_some" }),
              INVALID,
              /retry_mode/,
            ],
            [
              call(server, token, `${OX}/${id}/retry`, { ...ws, retry_mode: "retry_target_items" }),
              INVALID,
              /item_ids/,
            ],
            [
              call(server, token, `${OX}/${id}/retry`, {
                ...ws,
                retry_mode: "retry_target_items",
                item_ids: ["x"],
              }),
              INVALID,
              /item_ids/,
            ],
          ];
          for (const [p, code, re] of cases) {
            const r = await p;
            assert.equal(r.body.code, code, JSON.stringify(r.body));
            assert.match(r.body.msg, re, r.body.msg);
          }
          const after = await getOapi(server, token, u.spaceId, id);
          assert.equal(after.status, "success");
          assert.equal(after.base_info.updated_at, ended.base_info.updated_at, "no retry happened");
        },
      );
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models).catch(() => {});
    }
  },
});

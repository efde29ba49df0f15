"""Prompt hub scenarios of the Python SDK: get_prompt by version, label and latest, then
prompt_format locally (normal and jinja2 templates, multi-part and placeholder variables)."""
from cozeloop import RemoteServiceError
from cozeloop.entities.prompt import ContentPart, ContentType, Message, Role

from common import CTX, expect, expect_eq, raises, run

CHAT = CTX.get("chat_key", "")
JINJA = CTX.get("jinja_key", "")
MULTI = CTX.get("multi_key", "")
MISSING = CTX.get("missing_key", "")
CHAT_VARIABLES = [("topic", "the topic", "string"), ("history", "earlier turns", "placeholder"),
                  ("question", "the question", "string")]


def roles_and_contents(messages):
    """(role, content) of each message, roles as plain strings."""
    return [(getattr(m.role, "value", m.role), m.content) for m in messages]


def check_chat(prompt, version, system):
    """The chat prompt as the Deno side committed it."""
    expect(prompt is not None, "a prompt")
    expect_eq(prompt.prompt_key, CHAT, "prompt_key")
    expect_eq(prompt.version, version, "version")
    template = prompt.prompt_template
    expect_eq(getattr(template.template_type, "value", None), "normal", "template_type")
    expect_eq(roles_and_contents(template.messages),
              [("system", system), ("placeholder", "history"), ("user", "{{question}}")],
              "messages")
    defs = [(d.key, d.desc, getattr(d.type, "value", d.type)) for d in template.variable_defs]
    expect_eq(defs, CHAT_VARIABLES, "variable_defs (key, desc, type)")
    expect_eq([t.function.name for t in prompt.tools], ["get_weather"], "tools")
    expect_eq(getattr(prompt.tool_call_config.tool_choice, "value", None), "auto", "tool_choice")
    expect_eq((prompt.llm_config.temperature, prompt.llm_config.max_tokens), (0.4, 100),
              "llm_config")


def hub_version(client):
    check_chat(client.get_prompt(CHAT, version="1.0.0"), "1.0.0", "You help with {{topic}}.")


def hub_label(client):
    check_chat(client.get_prompt(CHAT, label="beta"), "1.0.0", "You help with {{topic}}.")


def hub_latest(client):
    # get_prompt(key) sends "version": "" and "label": "" (unset means empty here).
    check_chat(client.get_prompt(CHAT), "1.1.0", "You are an expert on {{topic}}.")


def hub_latest_null(client):
    # Explicit None reaches the wire as JSON null.
    prompt = client.get_prompt(CHAT, version=None, label=None)
    check_chat(prompt, "1.1.0", "You are an expert on {{topic}}.")


def hub_not_found(client):
    e = raises(lambda: client.get_prompt(MISSING, version="1.0.0"), "unknown prompt key")
    expect(isinstance(e, RemoteServiceError), f"a RemoteServiceError, got {type(e).__name__}: {e}")
    expect(e.error_code != 0, f"an error code: {e}")


def multi_parts(prompt):
    """The parts of the multi prompt's user message as (type, text, image_url)."""
    user = prompt.prompt_template.messages[0]
    return [(getattr(p.type, "value", p.type), p.text, p.image_url) for p in user.parts]


def hub_image_part(client):
    prompt = client.get_prompt(MULTI, version="1.0.0")
    expect_eq(multi_parts(prompt), [
        ("text", "Describe {{subject}}:", None),
        ("image_url", None, "https://example.com/cat.png"),
        ("multi_part_variable", "extra", None),
    ], "template parts (image_url a plain string)")
    defs = [(d.key, d.desc, getattr(d.type, "value", d.type))
            for d in prompt.prompt_template.variable_defs]
    expect_eq(defs, [("subject", "what to describe", "string"),
                     ("extra", "more parts", "multi_part")], "variable_defs")


def hub_multi_part(client):
    prompt = client.get_prompt(MULTI, version="1.0.0")
    extra = [ContentPart(type=ContentType.TEXT, text="and also"),
             ContentPart(type=ContentType.IMAGE_URL, image_url="https://example.com/dog.png")]
    messages = client.prompt_format(prompt, {"subject": "a cat", "extra": extra})
    expect_eq(len(messages), 1, "one message")
    got = [(getattr(p.type, "value", p.type), p.text, p.image_url) for p in messages[0].parts]
    expect_eq(got, [
        ("text", "Describe a cat:", None),
        ("image_url", None, "https://example.com/cat.png"),
        ("text", "and also", None),
        ("image_url", None, "https://example.com/dog.png"),
    ], "formatted parts")


def hub_jinja2(client):
    prompt = client.get_prompt(JINJA, version="1.0.0")
    expect_eq(getattr(prompt.prompt_template.template_type, "value", None), "jinja2",
              "template_type")
    defs = [(d.key, d.desc, getattr(d.type, "value", d.type))
            for d in prompt.prompt_template.variable_defs]
    expect_eq(defs, [("cities", "cities to compare", "array<string>"), ("formal", "", "boolean"),
                     ("question", "the question", "string")], "variable_defs (desc left empty)")
    messages = client.prompt_format(prompt, {
        "cities": ["Paris", "Rome"], "formal": True, "question": "compare them",
    })
    expect_eq(roles_and_contents(messages), [
        ("system", "Cities: Paris;Rome; Be formal."), ("user", "compare them"),
    ], "rendered jinja2")


def hub_placeholder(client):
    prompt = client.get_prompt(CHAT, version="1.0.0")
    history = [Message(role=Role.USER, content="hi"), Message(role=Role.ASSISTANT, content="hello")]
    messages = client.prompt_format(prompt, {
        "topic": "weather", "question": "warm today?", "history": history,
    })
    expect_eq(roles_and_contents(messages), [
        ("system", "You help with weather."), ("user", "hi"), ("assistant", "hello"),
        ("user", "warm today?"),
    ], "formatted messages")


def run_all(client):
    """Every prompt hub scenario."""
    for name, fn in [("hub_version", hub_version), ("hub_label", hub_label),
                     ("hub_latest", hub_latest), ("hub_latest_null", hub_latest_null),
                     ("hub_not_found", hub_not_found), ("hub_image_part", hub_image_part),
                     ("hub_multi_part", hub_multi_part), ("hub_jinja2", hub_jinja2),
                     ("hub_placeholder", hub_placeholder)]:
        run(name, lambda fn=fn: fn(client))

// Docker's --format templates (src/cli/template.ts): what `docker inspect -f` and `docker ps
// --format` print for the same data, Go's text/template semantics included.
import { describe, expect, test } from "bun:test";
import { parseTemplate, TemplateError } from "../../../src/cli/template.ts";

const inspect = {
  Id: "abc", Name: "/web", State: { Status: "exited", Running: false, ExitCode: 7, Pid: 0 },
  Config: { Env: ["PATH=/bin", "HOME=/root"], Hostname: "h", Labels: {} },
  Mounts: [{ Source: "/a", Destination: "/b" }, { Source: "/c", Destination: "/d" }],
  HostConfig: { CapAdd: null },
};
const exec = (t: string, data: unknown = inspect, strict = false) => parseTemplate(t, { strict }).execute(data);

describe("printing values as Go prints JSON-decoded data", () => {
  test.each([
    ["{{.State.ExitCode}}", "7"],
    ["{{.State.Running}}", "false"],
    ["{{.Name}} {{.Id}}", "/web abc"],
    ["{{.Config.Env}}", "[PATH=/bin HOME=/root]"],
    ["{{.State}}", "map[ExitCode:7 Pid:0 Running:false Status:exited]"],
    ["{{.HostConfig.CapAdd}}", "<nil>"],
    ["{{.Nope}}", "<no value>"],
    ["{{.Config.Labels}}", "map[]"],
  ])("%s", (t, want) => expect(exec(t)).toBe(want));
});

describe("functions and pipelines", () => {
  test.each([
    ["{{json .State}}", '{"ExitCode":7,"Pid":0,"Running":false,"Status":"exited"}'],
    ["{{json .Config.Env}}", '["PATH=/bin","HOME=/root"]'],
    ["{{index .Config.Env 1}}", "HOME=/root"],
    ['{{join .Config.Env ","}}', "PATH=/bin,HOME=/root"],
    ["{{.Name | upper}}", "/WEB"],
    ["{{len .Mounts}}", "2"],
    ['{{printf "%s=%d" .Name .State.ExitCode}}', "/web=7"],
    ['{{if eq .State.Status "running"}}up{{else}}down{{end}}', "down"],
    ["{{if .State.Running}}up{{end}}", ""],
    ["{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/a:/b /c:/d "],
    ["{{range .Config.Labels}}x{{else}}none{{end}}", "none"],
    ["{{with .State}}{{.Status}}{{end}}", "exited"],
    ["{{- .Name -}}  \n", "/web"],
    ["a {{- .Name}}", "a/web"],
    ["{{(index .Mounts 0).Source}}", "/a"],
    ["{{len (index .Config.Env 0)}}", "9"],
  ])("%s", (t, want) => expect(exec(t)).toBe(want));

  test("{{json .}} of a ps row, keys sorted as Go's encoder sorts a map", () => {
    expect(exec("{{json .}}", { Names: "web", ID: "abc" })).toBe('{"ID":"abc","Names":"web"}');
  });
});

describe("errors are TemplateErrors, as Go's parser and executor report them", () => {
  test.each([
    ["{{.Name", /unclosed action/],
    ["{{if .Name}}x", /without \{\{end\}\}/],
    ["{{end}}", /unexpected \{\{end\}\}/],
    ["{{frob .Name}}", /function "frob" not defined/],
    ["{{.Name.First}}", /can't evaluate field First in type string/],
    ["{{.Nope.Deeper}}", /nil pointer evaluating Deeper/],
    ["{{$x := .Name}}", /not supported/],
  ])("%s", (t, re) => expect(() => exec(t)).toThrow(re));

  test("strict (ps rows): a field the row does not have is an error, not <no value>", () => {
    expect(() => exec("{{.Nope}}", { Names: "x" }, true)).toThrow(/can't evaluate field Nope/);
    expect(exec("{{.Names}}", { Names: "x" }, true)).toBe("x");
  });
});

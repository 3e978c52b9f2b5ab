// Docker's --format templates (src/cli/template.ts): what `docker inspect -f` and `docker ps
// --format` print for the same data, Go's text/template semantics included.
import { describe, expect, test } from "bun:test";
import { parseTemplate, TemplateError } from "../../../src/cli/template.ts";

const inspect = {
  Id: "abc", Name: "/web", State: { Status: "exited", Running: false, ExitCode: 7, Pid: 0 },
  Config: { Env: ["PATH=/bin", "HOME=/root"], Hostname: "h", Labels: { a: "1", b: "2" } },
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
    // a struct's fields in order; a map of strings as Go prints a map
    ["{{.State}}", "{exited false 7 0}"],
    ["{{.Config.Labels}}", "map[a:1 b:2]"],
    ["{{.HostConfig.CapAdd}}", "<nil>"],
    ["{{.Nope}}", "<no value>"],
    ["{{.Nope.Deeper}}", "<no value>"],
  ])("%s", (t, want) => expect(exec(t)).toBe(want));
});

describe("functions and pipelines", () => {
  test.each([
    ["{{json .State}}", '{"Status":"exited","Running":false,"ExitCode":7,"Pid":0}'],
    ["{{json .Config.Labels}}", '{"a":"1","b":"2"}'],
    ["{{json .Config.Env}}", '["PATH=/bin","HOME=/root"]'],
    ["{{index .Config.Env 1}}", "HOME=/root"],
    ['{{join .Config.Env ","}}', "PATH=/bin,HOME=/root"],
    ["{{.Name | upper}}", "/WEB"],
    ["{{len .Mounts}}", "2"],
    ['{{printf "%s=%d" .Name .State.ExitCode}}', "/web=7"],
    ['{{printf "%.2s|%5d|%-4s|%x|%05.1f" .Id .State.ExitCode "a" 255 3.14159}}', "ab|    7|a   |ff|003.1"],
    ['{{index .Config.Labels "nope"}}', ""],
    ['{{if eq .State.Status "running"}}up{{else if eq .State.Status "exited"}}exited {{.State.ExitCode}}{{else}}?{{end}}', "exited 7"],
    ["{{range $i, $m := .Mounts}}{{$i}}={{$m.Source}} {{end}}", "0=/a 1=/c "],
    ["{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}},{{end}}", "a:1,b:2,"],
    ["{{$n := .Name}}{{range .Mounts}}{{$n}}{{.Source}} {{end}}", "/web/a /web/c "],
    // and/or stop at the deciding argument (Go 1.18+): index is never called on nil
    ["{{if and .HostConfig.CapAdd (index .HostConfig.CapAdd 0)}}y{{else}}n{{end}}", "n"],
    ["{{or .Nope .Name}}", "/web"],
    ["{{with $s := .State}}{{$s.ExitCode}}{{end}}", "7"],
    ["{{if $c := .State.ExitCode}}code {{$c}}{{end}}", "code 7"],
    ['{{"\\x41\\u00e9\\t|"}}', "Aé\t|"],
    ['{{printf "%d|%g" .Name 0.0000001}}', "%!d(string=/web)|1e-07"],
    ['{{if eq .State.Status "running"}}up{{else}}down{{end}}', "down"],
    ["{{if .State.Running}}up{{end}}", ""],
    ["{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/a:/b /c:/d "],
    ["{{range .Config.Labels}}x{{else}}none{{end}}", "xx"],
    ["{{range .Config.Nope}}x{{else}}none{{end}}", "none"],
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
    ["{{.HostConfig.CapAdd.X}}", /nil pointer evaluating X/],
    ["{{index .Mounts 5}}", /index out of range: 5/],
    ['{{template "x"}}', /not supported/],
    ["{{$undefined}}", /undefined variable/],
  ])("%s", (t, re) => expect(() => exec(t)).toThrow(re));

  test("strict (ps rows): a field the row does not have is an error, not <no value>", () => {
    expect(() => exec("{{.Nope}}", { Names: "x" }, true)).toThrow(/can't evaluate field Nope/);
    expect(exec("{{.Names}}", { Names: "x" }, true)).toBe("x");
  });
});

package docker

import (
	"strings"
	"testing"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// langCase is one language's versions of the standard programs.
type langCase struct {
	lang     string
	hello    string // prints "hello"
	echo     string // copies stdin to stdout
	broken   string // does not compile (or parse)
	brokenIn string // the compiler's or interpreter's message contains it
	exit3    string // exits with status 3
	unicode  string // prints unicodeText
	multi    []sandbox.File
}

const unicodeText = "héllo, 世界 🌍 Ω≈ç√"

var langCases = []langCase{
	{
		lang:  "python",
		hello: `print("hello")`, echo: "import sys\nsys.stdout.write(sys.stdin.read())",
		broken: "print(", brokenIn: "SyntaxError", exit3: "import sys\nsys.exit(3)",
		unicode: `print("` + unicodeText + `")`,
		multi: []sandbox.File{
			{Name: "main.py", Content: "from helper import greet\nprint(greet())"},
			{Name: "helper.py", Content: "def greet():\n    return 'hi from helper'"},
		},
	},
	{
		lang:  "javascript",
		hello: `console.log("hello")`, echo: `process.stdout.write(require("fs").readFileSync(0))`,
		broken: "console.log(", brokenIn: "SyntaxError", exit3: "process.exit(3)",
		unicode: `console.log("` + unicodeText + `")`,
		multi: []sandbox.File{
			{Name: "main.js", Content: `console.log(require("./helper").greet())`},
			{Name: "helper.js", Content: `module.exports = { greet: () => "hi from helper" }`},
		},
	},
	{
		lang:   "c",
		hello:  "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }",
		echo:   "#include <stdio.h>\nint main(void) { int c; while ((c = getchar()) != EOF) putchar(c); return 0; }",
		broken: "int main(void) { return x; }", brokenIn: "undeclared",
		exit3:   "int main(void) { return 3; }",
		unicode: "#include <stdio.h>\nint main(void) { puts(\"" + unicodeText + "\"); return 0; }",
		multi: []sandbox.File{
			{Name: "main.c", Content: "#include <stdio.h>\n#include \"helper.h\"\nint main(void) { puts(greet()); return 0; }"},
			{Name: "helper.h", Content: "const char *greet(void);"},
			{Name: "helper.c", Content: "#include \"helper.h\"\nconst char *greet(void) { return \"hi from helper\"; }"},
		},
	},
	{
		lang:   "cpp",
		hello:  "#include <iostream>\nint main() { std::cout << \"hello\" << std::endl; }",
		echo:   "#include <iostream>\nint main() { std::cout << std::cin.rdbuf(); }",
		broken: "int main() { return x; }", brokenIn: "was not declared",
		exit3:   "int main() { return 3; }",
		unicode: "#include <iostream>\nint main() { std::cout << \"" + unicodeText + "\" << std::endl; }",
		multi: []sandbox.File{
			{Name: "main.cpp", Content: "#include <iostream>\n#include \"helper.hpp\"\nint main() { std::cout << greet() << std::endl; }"},
			{Name: "helper.hpp", Content: "#include <string>\nstd::string greet();"},
			{Name: "helper.cpp", Content: "#include \"helper.hpp\"\nstd::string greet() { return \"hi from helper\"; }"},
		},
	},
	{
		lang:   "go",
		hello:  "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }",
		echo:   "package main\nimport (\"io\"; \"os\")\nfunc main() { io.Copy(os.Stdout, os.Stdin) }",
		broken: "package main\nfunc main() { return x }", brokenIn: "undefined: x",
		exit3:   "package main\nimport \"os\"\nfunc main() { os.Exit(3) }",
		unicode: "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"" + unicodeText + "\") }",
		multi: []sandbox.File{
			{Name: "main.go", Content: "package main\nimport \"fmt\"\nfunc main() { fmt.Println(greet()) }"},
			{Name: "helper.go", Content: "package main\nfunc greet() string { return \"hi from helper\" }"},
		},
	},
	{
		lang:   "java",
		hello:  "public class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }",
		echo:   "public class Main { public static void main(String[] a) throws Exception { System.in.transferTo(System.out); } }",
		broken: "public class Main { public static void main(String[] a) { int x = y; } }", brokenIn: "cannot find symbol",
		exit3:   "public class Main { public static void main(String[] a) { System.exit(3); } }",
		unicode: "public class Main { public static void main(String[] a) { System.out.println(\"" + unicodeText + "\"); } }",
		multi: []sandbox.File{
			{Name: "Main.java", Content: "public class Main { public static void main(String[] a) { System.out.println(Helper.greet()); } }"},
			{Name: "Helper.java", Content: "class Helper { static String greet() { return \"hi from helper\"; } }"},
		},
	},
	{
		lang:   "rust",
		hello:  `fn main() { println!("hello"); }`,
		echo:   "use std::io;\nfn main() { io::copy(&mut io::stdin(), &mut io::stdout()).unwrap(); }",
		broken: `fn main() { let x: i32 = "a"; }`, brokenIn: "mismatched types",
		exit3:   "fn main() { std::process::exit(3); }",
		unicode: `fn main() { println!("` + unicodeText + `"); }`,
		multi: []sandbox.File{
			{Name: "main.rs", Content: "mod helper;\nfn main() { println!(\"{}\", helper::greet()); }"},
			{Name: "helper.rs", Content: `pub fn greet() -> &'static str { "hi from helper" }`},
		},
	},
	{
		lang:  "ruby",
		hello: `puts "hello"`, echo: "$stdout.write($stdin.read)",
		broken: "puts(", brokenIn: "syntax error", exit3: "exit 3",
		unicode: `puts "` + unicodeText + `"`,
		multi: []sandbox.File{
			{Name: "main.rb", Content: "require_relative 'helper'\nputs greet"},
			{Name: "helper.rb", Content: "def greet = 'hi from helper'"},
		},
	},
	{
		lang:  "bash",
		hello: "echo hello", echo: "cat",
		broken: "if then fi", brokenIn: "syntax error", exit3: "exit 3",
		unicode: `echo "` + unicodeText + `"`,
		multi: []sandbox.File{
			{Name: "main.sh", Content: `. ./helper.sh; greet`},
			{Name: "helper.sh", Content: `greet() { echo "hi from helper"; }`},
		},
	},
}

func TestLanguages(t *testing.T) {
	t.Parallel()
	sb := sharedSandbox(t)
	for _, lc := range langCases {
		t.Run(lc.lang, func(t *testing.T) {
			t.Parallel()
			lang, _ := sb.Catalogue().Lookup(lc.lang)

			res := run(t, sb, program(lc.lang, lc.hello))
			expect(t, "hello", res, sandbox.StatusOK, "hello\n")

			stdin := "line one\nλ line two\n"
			req := program(lc.lang, lc.echo)
			req.Stdin = stdin
			expect(t, "stdin echo", run(t, sb, req), sandbox.StatusOK, stdin)

			res = run(t, sb, program(lc.lang, lc.broken))
			want, out := sandbox.StatusRuntimeError, res.Stderr
			if lang.Compiled() {
				want, out = sandbox.StatusCompileError, res.CompileOutput
				if res.CompileExitCode == 0 {
					t.Errorf("broken: compile exit code 0")
				}
			}
			if res.Status != want || !strings.Contains(out, lc.brokenIn) {
				t.Errorf("broken: status %s, want %s; message %q lacks %q", res.Status, want, out, lc.brokenIn)
			}

			res = run(t, sb, program(lc.lang, lc.exit3))
			expect(t, "exit 3", res, sandbox.StatusRuntimeError, "")
			if res.ExitCode != 3 {
				t.Errorf("exit 3: exit code %d", res.ExitCode)
			}

			expect(t, "unicode", run(t, sb, program(lc.lang, lc.unicode)), sandbox.StatusOK, unicodeText+"\n")

			multi := sandbox.Request{Language: lc.lang, Files: lc.multi}
			expect(t, "multi-file", run(t, sb, multi), sandbox.StatusOK, "hi from helper\n")
		})
	}
}

// expect checks a result's status and stdout.
func expect(t *testing.T, what string, res sandbox.Result, status sandbox.Status, stdout string) {
	t.Helper()
	if res.Status != status {
		t.Errorf("%s: status %s, want %s (%s; stderr %q; compile output %q)", what, res.Status, status, res.Message, res.Stderr, res.CompileOutput)
	}
	if stdout != "" && res.Stdout != stdout {
		t.Errorf("%s: stdout %q, want %q", what, res.Stdout, stdout)
	}
}

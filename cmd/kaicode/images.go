package main

import (
	"context"
	"flag"
	"fmt"
	"slices"

	"github.com/kaicode/kaicode/images"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/sandbox/docker"
)

// imagesCommand implements "kaicode images build [--force] [lang...]" and
// "kaicode images list".
func imagesCommand(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("kaicode images", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	prefix := fs.String("image-prefix", envOr(env, "KAICODE_IMAGE_PREFIX", docker.DefaultImagePrefix), "name prefix of the runtime images (env KAICODE_IMAGE_PREFIX)")
	force := fs.Bool("force", false, "rebuild images that are current")
	parallel := fs.Int("parallel", 2, "images built at once")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: kaicode images build [flags] [language...]\n       kaicode images list\n\nBuilds the sandbox's runtime images that are missing or stale (all when no\nlanguage is named).\n\nFlags:")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return exitError{2}
	}
	sub, args := args[0], args[1:]
	if err := fs.Parse(args); err != nil {
		return err
	}
	cat := sandbox.Builtin()
	switch sub {
	case "list":
		for _, l := range cat.Languages() {
			fmt.Fprintf(env.stdout, "%-11s %-8s %s%s (version %s)\n", l.Name, l.Version, *prefix, l.Image, images.Version(l.Image))
		}
		return nil
	case "build":
		names, err := imageNames(cat, fs.Args())
		if err != nil {
			return err
		}
		return docker.BuildImages(ctx, docker.BuildOptions{
			ImagePrefix: *prefix, Names: names, Force: *force, Parallel: *parallel, Progress: env.stdout,
		})
	}
	fs.Usage()
	return exitError{2}
}

// imageNames maps language names or aliases to the images serving them;
// no languages means all images.
func imageNames(cat sandbox.Catalogue, langs []string) ([]string, error) {
	if len(langs) == 0 {
		return nil, nil
	}
	var names []string
	for _, n := range langs {
		l, ok := cat.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("unknown language %q", n)
		}
		if !slices.Contains(names, l.Image) {
			names = append(names, l.Image)
		}
	}
	return names, nil
}

func envOr(env *cliEnv, name, def string) string {
	if v := env.getenv(name); v != "" {
		return v
	}
	return def
}

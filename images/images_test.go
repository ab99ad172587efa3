package images

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	t.Parallel()
	want := []string{"bash", "gcc", "go", "java", "javascript", "python", "ruby", "rust"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	if Version("python") != Version("python") {
		t.Error("Version is not stable")
	}
	if Version("python") == Version("ruby") {
		t.Error("two images share a version")
	}
	if _, ok := RunnerSources()["main.go"]; !ok {
		t.Error("RunnerSources lacks main.go")
	}
}

package command

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/platform"
)

// DefaultPermissions are the repository permissions that may give commands
// when the configuration names none (config.PlatformOptions.CommandPermissions).
var DefaultPermissions = []string{"write", "maintain", "admin"}

// Permissions are the permission levels a platform reports, weakest first.
var Permissions = []string{"none", "read", "triage", "write", "maintain", "admin"}

// gitlabRoles are GitLab's role names, which a configuration may use, and
// the permission levels the GitLab platform reports for them.
var gitlabRoles = map[string]string{
	"guest": "read", "reporter": "triage", "developer": "write",
	"maintainer": "maintain", "owner": "admin",
}

// normal returns the permission level a configured name stands for.
func normal(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if p, ok := gitlabRoles[name]; ok {
		return p
	}
	return name
}

// Allowed reports whether a commenter with permission may give commands
// when allowed lists the permissions that may (DefaultPermissions when
// empty); GitLab's role names count as the levels they stand for. The list
// is a set, not a minimum: listing only "maintain" keeps "admin" out too,
// so a policy says exactly who may promote.
func Allowed(permission string, allowed []string) bool {
	if len(allowed) == 0 {
		allowed = DefaultPermissions
	}
	return slices.ContainsFunc(allowed, func(a string) bool {
		return normal(a) == normal(permission)
	})
}

// DeniedError is a command refused because the commenter lacks permission.
type DeniedError struct {
	User       string
	Permission string
	Allowed    []string
}

// Error names the user, the permission they have and the ones that may.
func (e *DeniedError) Error() string {
	return fmt.Sprintf("@%s has %s permission; commands need one of: %s",
		e.User, e.Permission, strings.Join(e.Allowed, ", "))
}

// Authorize asks the platform for the user's permission and returns a
// *DeniedError unless it is among allowed (DefaultPermissions when empty).
// It returns the permission it found.
func Authorize(ctx context.Context, p platform.Commander, user string,
	allowed []string) (string, error) {
	if len(allowed) == 0 {
		allowed = DefaultPermissions
	}
	perm, err := p.Permission(ctx, user)
	if err != nil {
		return "", fmt.Errorf("reading @%s's permission: %w", user, err)
	}
	if !Allowed(perm, allowed) {
		return perm, &DeniedError{User: user, Permission: perm, Allowed: allowed}
	}
	return perm, nil
}

// ValidatePermissions checks a configured list of permissions and returns
// an error naming the first unknown one.
func ValidatePermissions(list []string) error {
	for _, p := range list {
		if n := normal(p); n == "none" || !slices.Contains(Permissions, n) {
			return fmt.Errorf("unknown permission %q; expected one of %s, or GitLab's "+
				"guest, reporter, developer, maintainer, owner",
				p, strings.Join(Permissions[1:], ", "))
		}
	}
	return nil
}

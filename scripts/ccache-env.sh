# shellcheck shell=bash
# ccache set-up shared by all builds (source it after lib.sh). Compilers are reached through
# masquerade symlinks, so meson and Kbuild need no ccache-specific options. Sources and
# build directories are inside work/, and paths below CCACHE_BASEDIR are rewritten to
# relative ones: a clone at another path hits the same cache entries.
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$TOP/work
export CCACHE_NOHASHDIR=1
export CCACHE_DEPEND=1
export CCACHE_COMPILERCHECK=content
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-12G}
# decodetree & co. must generate the same files every time.
export PYTHONHASHSEED=0
_ccbin=$CACHE/ccache-bin
if [ ! -x "$_ccbin/aarch64-linux-gnu-gcc" ]; then
	mkdir -p "$_ccbin"
	for _c in gcc cc g++ c++ aarch64-linux-gnu-gcc aarch64-linux-gnu-g++; do
		ln -sf "$(command -v ccache)" "$_ccbin/$_c"
	done
fi
case ":$PATH:" in
*":$_ccbin:"*) ;;
*) export PATH=$_ccbin:$PATH ;;
esac
unset _ccbin _c

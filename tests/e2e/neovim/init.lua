-- Headless neovim (0.7+) as an LSP client of `unleak server`, driven the way a user would:
-- open a leaky file, get the diagnostic, hover it, run the code action (the quick fix),
-- write the file, then type a new leak. Built-in vim.lsp only; no plugins.
--
--   UNLEAK_NVIM_SERVER=.venv/bin/unleak UNLEAK_NVIM_FILE=/tmp/x/leaky.py \
--   UNLEAK_NVIM_RESULT=/tmp/x/result.json nvim --headless --clean -u tests/e2e/neovim/init.lua
--
-- Writes a JSON object to UNLEAK_NVIM_RESULT: what each step saw, and "error" if one failed.
-- tests/e2e/test_neovim.py asserts on it. Always quits, at the latest after the watchdog.

local server = assert(os.getenv('UNLEAK_NVIM_SERVER'), 'UNLEAK_NVIM_SERVER not set')
local file = assert(os.getenv('UNLEAK_NVIM_FILE'), 'UNLEAK_NVIM_FILE not set')
local result_path = assert(os.getenv('UNLEAK_NVIM_RESULT'), 'UNLEAK_NVIM_RESULT not set')
local step_ms = tonumber(os.getenv('UNLEAK_NVIM_STEP_MS') or '30000')
local total_ms = tonumber(os.getenv('UNLEAK_NVIM_TOTAL_MS') or '120000')

local result = { nvim = tostring(vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch) }
local published = {} -- every publishDiagnostics for our file, in order
local hovers = {}    -- every hover response and the lines of the float neovim opened
local choices = {}   -- the code action titles offered to the user

local function write_result()
  local f = assert(io.open(result_path, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function finish(err)
  if err then
    result.error = tostring(err)
  end
  write_result()
  vim.cmd('qa!')
end

local function wait_for(what, predicate)
  local ok = vim.wait(step_ms, predicate, 20)
  if not ok then
    error('timed out after ' .. step_ms .. ' ms waiting for ' .. what, 0)
  end
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n') .. '\n'
end

-- What neovim itself holds for the buffer (after its publishDiagnostics handler ran).
local function nvim_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
      source = d.source,
      message = d.message,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
    })
  end
  table.sort(out, function(a, b) return a.lnum < b.lnum end)
  return out
end

-- Record what the server publishes, then let neovim's own handler store it.
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, res, ctx, config)
  if res and vim.uri_to_fname(res.uri) == vim.fn.resolve(file) then
    table.insert(published, { version = res.version, count = #res.diagnostics })
  end
  return default_publish(err, res, ctx, config)
end

local default_hover = vim.lsp.handlers['textDocument/hover']
vim.lsp.handlers['textDocument/hover'] = function(err, res, ctx, config)
  local entry = { error = err and err.message or nil }
  if res and res.contents then
    entry.kind = res.contents.kind
    entry.value = res.contents.value
  end
  local float_buf, float_win = default_hover(err, res, ctx, config)
  if float_buf then
    entry.float_lines = vim.api.nvim_buf_get_lines(float_buf, 0, -1, false)
    entry.float_open = float_win ~= nil and vim.api.nvim_win_is_valid(float_win)
  end
  table.insert(hovers, entry)
end

-- The "user" picks the preferred quick fix from the code action menu.
vim.ui.select = function(items, opts, on_choice)
  local chosen
  for i, item in ipairs(items) do
    local action = item[2]
    table.insert(choices, { title = action.title, kind = action.kind, preferred = action.isPreferred })
    if not chosen and action.kind == 'quickfix' and action.isPreferred then
      chosen = i
    end
  end
  if chosen then
    on_choice(items[chosen], chosen)
  else
    on_choice(nil, nil)
  end
end

local function main()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'python'
  -- Typed text goes in as typed: no auto-indent from the python indent script.
  vim.bo[bufnr].autoindent = false
  vim.bo[bufnr].smartindent = false
  vim.bo[bufnr].indentexpr = ''

  local client_id = vim.lsp.start_client({
    name = 'unleak',
    cmd = { server, 'server' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    settings = { unleak = { enable = true } },
  })
  assert(client_id, 'vim.lsp.start_client failed')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed')

  -- 1. Diagnostics for the file as opened.
  wait_for('the first diagnostics', function() return #nvim_diagnostics(bufnr) > 0 end)
  result.initial = nvim_diagnostics(bufnr)
  local first = result.initial[1]

  -- 2. Hover on the flagged range, as `K` would.
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  vim.lsp.buf.hover()
  wait_for('the hover', function() return #hovers > 0 end)
  result.hover = hovers[1]
  -- Close the float again (it is a window of its own).
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      vim.api.nvim_win_close(win, true)
    end
  end

  -- 3. The code action menu at the diagnostic; the preferred quick fix is applied.
  local before = buffer_text(bufnr)
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  vim.lsp.buf.code_action()
  wait_for('the quick fix to change the buffer', function()
    return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
  end)
  result.code_actions = choices
  result.before_fix = before
  result.after_fix = buffer_text(bufnr)

  -- 4. The server re-checks the edited buffer: its diagnostics go away. Then write it.
  local n = #published
  wait_for('diagnostics after the fix', function()
    return #published > n and published[#published].count == 0
  end)
  result.after_fix_diagnostics = nvim_diagnostics(bufnr)
  vim.cmd('write')

  -- 5. Type a new leak at the end of the file, key by key.
  n = #published
  local last = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_win_set_cursor(0, { last, 0 })
  local keys = 'o\rdef first_line(path):\r    return open(path).readline()\27'
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'xt', false)
  result.typed_text = buffer_text(bufnr)
  wait_for('a diagnostic for the typed leak', function()
    return #published > n and published[#published].count > 0 and #nvim_diagnostics(bufnr) > 0
  end)
  result.typed_diagnostics = nvim_diagnostics(bufnr)
  result.published = published

  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

vim.defer_fn(function() finish('watchdog: the whole run took longer than ' .. total_ms .. ' ms') end, total_ms)

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = xpcall(main, debug.traceback)
      finish(not ok and err or nil)
    end)
  end,
})
